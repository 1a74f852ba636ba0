export function sourceLibrary(root: URL | string): Record<string, string>;
export function builtLibrary(root: URL | string): Record<string, string>;
export function builtHooks(root: URL | string): {
  library: Record<string, string>;
  transpile: true;
};
export function buildStale(root: URL | string): string;
export function prebuiltStrategy(root: URL | string, file: string): string | undefined;
export function libraryFiles(): Record<string, string>;
