/**
 * IVOA identifiers as Comet 3.1.0 checks them (comet/utility/voevent.py parse_ivoid; IVOA
 * Identifiers 2.0 §2.3.3). `\w` is Python 3's Unicode word class, as in Comet: letters, digits
 * and underscore of any script (`[\p{L}\p{N}\p{M}_]` here), so non-ASCII local IDs pass as
 * they do there; the first character of the authority stays ASCII ([A-Za-z0-9]).
 *
 *   ivoid    = "ivo://" authority [ resource ] [ "#" localId ]
 *   authority= [A-Za-z0-9] [\w\-.~*'()]{2,}
 *   resource = "/" [\w\-.~*'()/]*       (no "//", "/../", "/./", no trailing "/")
 *   localId  = [\w\-.~*'()+=/%!$&,;:@?]*
 */
const W = String.raw`\p{L}\p{N}\p{M}_`;
const IVOID = new RegExp(
  String.raw`^ivo:\/\/([A-Za-z0-9][${W}\-.~*'()]{2,})(\/[${W}\-.~*'()/]*)?(?:#([${W}\-.~*'()+=/%!$&,;:@?]*))?$`,
  'u',
);

export interface Ivoid {
  authority: string;
  /** Resource key including its leading "/", '' when none. */
  resourceKey: string;
  /** Local ID after "#", '' when none. */
  localId: string;
}

/** Parses an IVOID; null when it is not one. */
export function parseIvoid(text: string): Ivoid | null {
  const match = IVOID.exec(text);
  if (!match) return null;
  const resourceKey = match[2] ?? '';
  if (
    resourceKey.includes('//') ||
    resourceKey.includes('/../') ||
    resourceKey.includes('/./') ||
    resourceKey.endsWith('/..') ||
    resourceKey.endsWith('/.') ||
    (resourceKey.length > 0 && resourceKey.endsWith('/'))
  ) {
    return null;
  }
  return { authority: match[1] ?? '', resourceKey, localId: match[3] ?? '' };
}
