/**
 * GCN Classic notice type names by Packet_Type, as in nasa-gcn/pygcn `gcn/notice_types.py`
 * (the same names end the Kafka topics `gcn.classic.voevent.<NAME>`). Used as `noticeType`
 * for GCN-distributed VOEvents. SVOM uses its own 2xx codes and is not listed here.
 */
export const GCN_PACKET_TYPES: Readonly<Record<number, string>> = {
  2: 'TEST_COORDS',
  4: 'KILL_SOCKET',
  45: 'GRB_CNTRPART',
  51: 'INTEGRAL_POINTDIR',
  52: 'INTEGRAL_SPIACS',
  53: 'INTEGRAL_WAKEUP',
  54: 'INTEGRAL_REFINED',
  55: 'INTEGRAL_OFFLINE',
  56: 'INTEGRAL_WEAK',
  59: 'KONUS_LC',
  61: 'SWIFT_BAT_GRB_POS_ACK',
  62: 'SWIFT_BAT_GRB_POS_NACK',
  63: 'SWIFT_BAT_GRB_LC',
  64: 'SWIFT_BAT_SCALEDMAP',
  65: 'SWIFT_FOM_OBS',
  67: 'SWIFT_XRT_POSITION',
  71: 'SWIFT_XRT_CENTROID',
  81: 'SWIFT_UVOT_POS',
  82: 'SWIFT_BAT_GRB_POS_TEST',
  83: 'SWIFT_POINTDIR',
  84: 'SWIFT_BAT_TRANS',
  97: 'SWIFT_BAT_QL_POS',
  98: 'SWIFT_BAT_SUB_THRESHOLD',
  105: 'AGILE_MCAL_ALERT',
  110: 'FERMI_GBM_ALERT',
  111: 'FERMI_GBM_FLT_POS',
  112: 'FERMI_GBM_GND_POS',
  115: 'FERMI_GBM_FIN_POS',
  119: 'FERMI_GBM_POS_TEST',
  120: 'FERMI_LAT_POS_INI',
  121: 'FERMI_LAT_POS_UPD',
  122: 'FERMI_LAT_POS_DIAG',
  123: 'FERMI_LAT_TRANS',
  124: 'FERMI_LAT_POS_TEST',
  125: 'FERMI_LAT_MONITOR',
  127: 'FERMI_LAT_GND',
  128: 'FERMI_LAT_OFFLINE',
  129: 'FERMI_POINTDIR',
  131: 'FERMI_GBM_SUBTHRESH',
  134: 'MAXI_UNKNOWN',
  135: 'MAXI_KNOWN',
  136: 'MAXI_TEST',
  139: 'MOA',
  140: 'SWIFT_BAT_SUB_SUB_THRESH',
  141: 'SWIFT_BAT_KNOWN_SRC',
  149: 'SNEWS',
  150: 'LVC_PRELIMINARY',
  151: 'LVC_INITIAL',
  152: 'LVC_UPDATE',
  153: 'LVC_TEST',
  158: 'AMON_ICECUBE_HESE',
  159: 'AMON_TEST',
  160: 'CALET_GBM_FLT_LC',
  161: 'CALET_GBM_GND_LC',
  163: 'LVC_EARLY_WARNING',
  164: 'LVC_RETRACTION',
  169: 'AMON_ICECUBE_EHE',
  171: 'HAWC_BURST_MONITOR',
  172: 'AMON_NU_EM_COINC',
  173: 'ICECUBE_ASTROTRACK_GOLD',
  174: 'ICECUBE_ASTROTRACK_BRONZE',
  175: 'SK_SN',
  176: 'ICECUBE_CASCADE',
  188: 'GECAM_FLT',
  189: 'GECAM_GND',
};

/**
 * The notice type name: the GCN name for a known Packet_Type, else the type prefix of the
 * ivorn's local part ("GBM_Flt_Pos_2023-…" -> "GBM_Flt_Pos"), else the whole local part.
 */
export function gcnNoticeTypeName(packetType: number | undefined, localId: string): string {
  if (packetType !== undefined) {
    const known = GCN_PACKET_TYPES[packetType];
    if (known !== undefined) return known;
  }
  const prefix = /^([A-Za-z][A-Za-z_]*?)_?[-\d]/.exec(localId)?.[1];
  return prefix ?? (localId.length > 0 ? localId : 'unknown');
}
