// Types of bin/cli-top-level.js (plain JavaScript, loaded without tsx), for src/cli/main.ts.
import type { Argv } from 'yargs';

export declare const COMMANDS: Readonly<Record<string, { command: string; describe: string }>>;
export declare function isCommandName(name: string): boolean;
export declare function namedCommand(argv: readonly string[]): string | undefined;
export declare function helpWidth(stream?: { isTTY?: boolean; columns?: number }): number;
export declare function createParser(argv: string[], describeError: (error: unknown) => string): Argv;
export declare function runTopLevel(argv: string[]): Promise<void>;
