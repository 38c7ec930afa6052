/**
 * One error type for the whole project, with a stable code from one list.
 *
 * Tests assert `code`, never the message. Every code is documented here; add new codes to
 * this list (grouped by the module that raises them) rather than inventing ad-hoc errors.
 */
export const ERROR_CODES = {
  // Input documents (voevent/, notices/, gcn/)
  INPUT_EMPTY: 'The input is empty.',
  INPUT_TOO_LARGE: 'The input is larger than the configured size limit.',
  INPUT_BINARY: 'The input is binary, not text.',
  XML_MALFORMED: 'The input is not well-formed XML.',
  XML_DTD_FORBIDDEN: 'The document has a DOCTYPE/DTD; DTDs and entities are never processed.',
  XML_TOO_DEEP: 'The document nests elements deeper than the configured limit.',
  VOEVENT_NOT_VOEVENT: 'The root element is not a VOEvent.',
  VOEVENT_BAD_NAMESPACE: 'The VOEvent root element is in an unknown namespace.',
  VOEVENT_MISSING_FIELD: 'A mandatory VOEvent element or attribute is missing.',
  VOEVENT_BAD_VALUE: 'A VOEvent value is out of range or of the wrong type.',
  SCHEMA_INVALID: 'The document does not validate against its XML Schema.',
  SCHEMA_UNAVAILABLE: 'The XML Schema validator could not run (it failed to load or was closed).',
  JSON_MALFORMED: 'The input is not valid JSON.',
  JSON_TOO_DEEP: 'The JSON document nests objects and arrays deeper than the limit.',
  NOTICE_UNSUPPORTED: 'The document is valid but is not a notice of a known kind.',
  NOTICE_BAD_VALUE: 'A notice field is missing, out of range or of the wrong type.',
  NOTICE_UNKNOWN_FORMAT: 'The input is neither XML nor JSON.',
  // VTP (vtp/)
  VTP_FRAME_TOO_LARGE: 'A VTP frame is larger than the size limit.',
  VTP_FRAME_EMPTY: 'A VTP frame has length zero.',
  VTP_UNEXPECTED_MESSAGE: 'A Transport message arrived where it was not expected.',
  VTP_NO_LOCAL_ID: 'The event ivorn has no local ID after the #.',
  VTP_TIMEOUT: 'The peer did not answer in time.',
  VTP_NAK: 'The peer answered with a nak.',
  VTP_CONNECTION: 'The connection failed or closed early.',
  VTP_NOT_WHITELISTED: 'The peer address is not in the whitelist.',
  VTP_INVALID_IVOID: 'The event ivorn is not a valid IVOA identifier.',
  VTP_DUPLICATE: 'The same event bytes were already received.',
  VTP_NO_RECEIPT: 'The peer closed without an ack or nak.',
  // Trust (trust/)
  TRUST_REFUSED: 'The source may not carry events of this ivorn authority (trust rules).',
  // Store (store/)
  STORE_MIGRATION: 'The database schema could not be migrated.',
  STORE_WRITE: 'An event could not be committed to the store.',
  // Optical (optical/)
  AVRO_MALFORMED: 'The Avro data is malformed or does not match its schema.',
  AVRO_UNKNOWN_SCHEMA: 'The Avro schema or schema id is unknown.',
  // Sky (sky/)
  SKY_BAD_REGION: 'A sky region is malformed or out of range.',
  FITS_MALFORMED: 'The FITS file is malformed or is not a HEALPix sky map.',
  FETCH_FAILED: 'A remote resource could not be fetched.',
  // Kafka (gcn/, sinks/kafka)
  KAFKA_FAILED: 'A Kafka operation failed.',
  KAFKA_AUTH: 'Kafka authentication failed (OIDC token endpoint or SASL handshake).',
  // Webhooks (webhooks/)
  WEBHOOK_URL_REFUSED:
    'A webhook URL is refused: not http(s), or plain http to a host not named in webhooks.allowHttpHosts.',
  WEBHOOK_FAILED:
    'A webhook endpoint did not accept a delivery (HTTP error status, timeout or connection failure).',
  // Configuration and CLI
  CONFIG_INVALID: 'The configuration is invalid.',
  USAGE: 'The command line is invalid.',
  // HTTP / WebSocket
  AUTH_REQUIRED: 'A valid bearer token is required.',
  FORBIDDEN: 'The token lacks the scope the resource needs.',
  NOT_FOUND: 'The resource was not found.',
  METHOD_NOT_ALLOWED: 'The resource does not answer this HTTP method.',
  BAD_REQUEST: 'The request is malformed.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface CoincideErrorOptions {
  cause?: unknown;
  /** True when the same operation may succeed if tried again (a network hiccup, a busy broker). */
  retriable?: boolean;
}

export class CoincideError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: CoincideErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CoincideError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

export function isCoincideError(value: unknown): value is CoincideError {
  return value instanceof CoincideError;
}

/** A one-line description of any thrown value, for logs and CLI stderr (never a stack trace). */
export function describeError(value: unknown): string {
  if (value instanceof CoincideError) return `${value.code}: ${value.message}`;
  if (value instanceof Error) return value.message.split('\n')[0] ?? value.name;
  return String(value);
}
