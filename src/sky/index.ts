/**
 * The sky toolkit's public surface (pure: no I/O except skymap-fetch.ts, not re-exported here).
 */
export * from './angles.ts';
export * from './healpix.ts';
export { preparePoint, POINT_INDEX_ORDER, type SkyPoint } from './sky-point.ts';
export { Moc, ORDER29_CELLS, type MocCell } from './moc.ts';
export { mocFromCircle, mocFromEllipse, mocFromPolygon, type MocBuildOptions } from './moc-build.ts';
export { SkyMap, type SkyMapCells, type SkyMapMeta, type DistancePosterior } from './skymap.ts';
export { readSkyMap, readSkyMapBase64, type ReadSkyMapOptions } from './skymap-read.ts';
export { writeMultiOrderSkyMap, writeFlatSkyMap, type FlatSkyMap } from './fits-writer.ts';
export { parseMocAscii, parseMocJson, formatMocAscii, formatMocJson } from './moc-io.ts';
export * from './radial-profile.ts';
export * from './regions.ts';
