// Types for scripts/selfcheck-unchecked.mjs, for the tests.
export function stripComments(text: string): string;
export function mapsWithoutCheck(text: string): boolean;
