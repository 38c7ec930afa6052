/**
 * The authority of an ivorn: the part between "ivo://" and the first "/", "#" or "?" (IVOA
 * Identifiers 2.0 §2.3.1: "ivo://" authority-id [ resource-key ] [ "#" local-id ]). It names who
 * publishes the event (`ivo://gwnet/LVC#S190425z` is LVK's, `ivo://nasa.gsfc.gcn/...` is
 * GCN's), which is what trust rules (src/trust/) and authority-limited tokens are keyed on.
 *
 * Authorities compare case-insensitively (IVOA Identifiers 2.0 §2.3.1: "the authority ID is
 * case-insensitive"), so they are returned lowercased. A pattern "*.example.org" matches every
 * authority that ends in ".example.org" (not "example.org" itself); any other pattern matches
 * one authority exactly.
 */

const IVO_SCHEME = 'ivo://';

/** The lowercased authority of `ivorn`, or undefined when it is not an `ivo://` identifier with one. */
export function ivornAuthority(ivorn: string): string | undefined {
  if (ivorn.length <= IVO_SCHEME.length || ivorn.slice(0, IVO_SCHEME.length).toLowerCase() !== IVO_SCHEME) {
    return undefined;
  }
  let end = IVO_SCHEME.length;
  while (end < ivorn.length) {
    const c = ivorn.charCodeAt(end);
    if (c === 0x2f /* / */ || c === 0x23 /* # */ || c === 0x3f /* ? */) break;
    end += 1;
  }
  const authority = ivorn.slice(IVO_SCHEME.length, end).trim().toLowerCase();
  return authority === '' ? undefined : authority;
}

/** Whether `authority` (as ivornAuthority returns it) matches `pattern` ("gwnet", "*.gcn"). */
export function authorityMatches(authority: string, pattern: string): boolean {
  const p = pattern.trim().toLowerCase();
  if (p.startsWith('*.')) return authority.endsWith(p.slice(1));
  return authority === p;
}

/** Whether the ivorn's authority matches one of `patterns` (false for an ivorn without an authority). */
export function ivornHasAuthority(ivorn: string, patterns: readonly string[]): boolean {
  const authority = ivornAuthority(ivorn);
  return authority !== undefined && patterns.some((p) => authorityMatches(authority, p));
}
