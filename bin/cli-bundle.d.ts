// Types of bin/cli-bundle.js (plain JavaScript, loaded without tsx), for its tests.
export declare const BUNDLED_COMMANDS: Readonly<
  Record<string, { module: string; export: string; early?: { module: string; export: string } }>
>;
export declare const DEFAULT_CACHE_DIR: string;
export declare function commandBundle(
  command: string,
  options?: { cacheDir?: string; env?: NodeJS.ProcessEnv },
): Promise<URL | undefined>;
export declare function manifestPath(cacheDir: string, command: string): string;
