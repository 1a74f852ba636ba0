export function sourceLibrary(root: URL | string): Record<string, string>;
export function builtLibrary(root: URL | string): Record<string, string>;
