/** The environment variable holding the bridge's bearer token (never a flag: flags end up in shell history). */
export const TOKEN_ENV = "STOM_BRIDGE_TOKEN";

/** The shortest token the bridge accepts. */
export const MIN_TOKEN_LENGTH = 32;
