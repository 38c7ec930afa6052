/**
 * The VOEvent the VTP benchmarks submit: a small GRB-like observation (about 1.3 kB, a circle
 * of 1°), valid against the VOEvent 2.0 schema, so the receiver does all its checks on it.
 * Each benchmark chooses the ivorn (unique per submission: a duplicate is answered without a
 * commit) and the position, as text (e.g. toFixed(4)), so that every run sends the same bytes.
 */
export function benchVoEvent(ivorn: string, trigId: number, ra: string, dec: string): Buffer {
  return Buffer.from(`<?xml version='1.0' encoding='UTF-8'?>
<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ivorn="${ivorn}" role="observation" version="2.0">
  <Who><AuthorIVORN>ivo://bench.coincide/author</AuthorIVORN><Date>2026-11-25T09:00:00</Date></Who>
  <What><Param name="TrigID" value="${String(trigId)}"/><Param name="RA" value="${ra}" unit="deg"/><Param name="Dec" value="${dec}" unit="deg"/></What>
  <WhereWhen><ObsDataLocation><ObservatoryLocation id="GEOLUN"/><ObservationLocation><AstroCoordSystem id="UTC-FK5-GEO"/>
  <AstroCoords coord_system_id="UTC-FK5-GEO"><Time unit="s"><TimeInstant><ISOTime>2026-11-25T08:59:00.00</ISOTime></TimeInstant></Time>
  <Position2D unit="deg"><Name1>RA</Name1><Name2>Dec</Name2><Value2><C1>${ra}</C1><C2>${dec}</C2></Value2><Error2Radius>1.0</Error2Radius></Position2D>
  </AstroCoords></ObservationLocation></ObsDataLocation></WhereWhen>
  <How><Description>coincide benchmark event</Description></How>
</voe:VOEvent>
`);
}
