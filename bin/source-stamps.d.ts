// Types of bin/source-stamps.js (plain JavaScript, loaded without tsx).
export type Stamp = [path: string, sha256: string, mtimeMs?: number | null, size?: number];
export declare function sha256(bytes: Buffer | string): string;
export declare function stampFiles(paths: readonly string[], nowMs?: number): Stamp[];
export declare function stampsMatch(stamps: unknown): boolean;
