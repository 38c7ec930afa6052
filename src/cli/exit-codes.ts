/**
 * Exit codes shared by every command:
 *  0  success;
 *  1  the operation ran but a peer refused (e.g. a VTP nak);
 *  2  bad input, bad usage or a network error (one line on stderr, no stack trace).
 */
export const EXIT_OK = 0;
export const EXIT_REFUSED = 1;
export const EXIT_BAD_INPUT = 2;
