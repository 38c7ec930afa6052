/**
 * The normalised Notice: one version of one multi-messenger trigger.
 *
 * Every input (VOEvent XML from VTP or GCN Kafka, GCN unified-schema JSON, LVK Kafka JSON)
 * becomes exactly this record; everything downstream of the parsers sees only this type.
 * Field names are part of the public contract (JSON on WebSocket, Kafka and files).
 */
export type NoticeRole = 'observation' | 'test' | 'utility' | 'prediction';
export type Messenger = 'gamma' | 'xray' | 'gw' | 'neutrino' | 'optical' | 'radio' | 'other';
export type AlertType = 'preliminary' | 'initial' | 'update' | 'retraction';
export type CitationKind = 'followup' | 'supersedes' | 'retraction';

export interface CircleRegion {
  type: 'circle';
  raDeg: number;
  decDeg: number;
  /** The radius exactly as published. */
  radiusDeg: number;
  /** The published containment fraction of that radius, in (0, 1) (e.g. 0.68, 0.9). */
  containment: number;
  /** Whether the published radius already includes the systematic error. */
  systematicIncluded: boolean;
}

export interface EllipseRegion {
  type: 'ellipse';
  raDeg: number;
  decDeg: number;
  semiMajorDeg: number;
  semiMinorDeg: number;
  /** Position angle of the major axis, east of north, degrees. */
  posAngleDeg: number;
  containment: number;
}

export interface SkymapRegion {
  type: 'skymap';
  /**
   * Where the sky map can be fetched (https URL, as published; LVK's ",N" GraceDB version
   * suffix kept), or "embedded:sha256:<hex>" for a map embedded in a JSON notice, where <hex>
   * is the SHA-256 of the decoded map bytes (get them with extractEmbeddedSkymap).
   */
  url: string;
  raDeg?: number;
  decDeg?: number;
}

export interface NoRegion {
  type: 'none';
}

export type NoticeRegion = CircleRegion | EllipseRegion | SkymapRegion | NoRegion;

export type ParamValue = string | number | boolean | null;

export interface NoticeCitation {
  ivorn: string;
  cite: CitationKind;
}

export interface NoticeSource {
  format: 'voevent' | 'gcn-json';
  /** SHA-256 of the exact input bytes, lowercase hex. */
  sha256: string;
}

export interface Notice {
  ivorn: string;
  role: NoticeRole;
  messenger: Messenger;
  /** e.g. Fermi, Swift, INTEGRAL, SVOM, IceCube, KM3NeT, LVK, EinsteinProbe, MAXI, AMON. */
  observatory: string;
  /** e.g. GBM, LAT, BAT, XRT, UVOT, ECLAIRs, GRM, MXT, VT, WXT, FXT. */
  instrument: string;
  /** The publisher's own type name (e.g. Fermi_GBM_Gnd_Pos, IceCube_Gold, LVC_PRELIMINARY). */
  noticeType: string;
  /** The same for every version of one trigger, e.g. "Fermi:524666471", "LVK:S230518h". */
  triggerId: string;
  /** The public event name where published (S230518h, GRB 250101A). */
  eventName?: string;
  alertType: AlertType;
  /** The publisher's sequence number, where there is one. */
  revision?: number;
  /** ISO 8601 UTC, millisecond precision, ending in Z. */
  triggerTime: string;
  triggerTimeMjd: number;
  /**
   * When the publisher issued this version (VOEvent Who/Date, JSON alert_datetime or LVK
   * time_created), ISO 8601 UTC with ms, ending in Z; with the revision, it orders versions.
   */
  issuedTime?: string;
  region: NoticeRegion;
  farHz?: number;
  pAstro?: number;
  /** e.g. BNS, NSBH, BBH, Terrestrial (the most probable class). */
  classification?: string;
  /** The published class probabilities behind `classification` (e.g. LVK BNS/NSBH/BBH/Terrestrial). */
  classificationProbabilities?: Record<string, number>;
  /** LVK source properties, as published probabilities: HasNS, HasRemnant, HasMassGap. */
  hasNs?: number;
  hasRemnant?: number;
  hasMassGap?: number;
  significant?: boolean;
  energyTeV?: number;
  /** True for mock events (LVK MS…), which are kept and marked. */
  mock?: boolean;
  /**
   * Publisher flags that qualify the notice, in kebab case: e.g. "not-a-grb",
   * "star-track-lost-lock", "test-submission", "hardware-injection", "slew-accepted",
   * "slew-rejected", "pointing-direction", "internal-test". Absent when there are none.
   */
  flags?: string[];
  /** Every What param, by name (group params as "Group.Param" as well as by bare name). */
  params: Record<string, ParamValue>;
  citations: NoticeCitation[];
  source: NoticeSource;
}
