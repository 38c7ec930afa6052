/**
 * One hidden class for every optical alert the replay feeds to the join engine.
 *
 * The replay's calling thread gets alerts two ways: decoded by itself (object literals of
 * mapZtfAlert/mapLsstAlert, each grown by the optional fields it has: several maps per survey)
 * and unpacked from a decode thread's results (unpackFiles: keys added one by one to `{}`, other
 * maps again). The engine's hot path (onOpticalAlert, the buffer, the background, the index)
 * then saw many maps at each property access and went polymorphic or megamorphic, and
 * TurboFan deoptimised and recompiled it on each new map ("wrong map", "Insufficient type
 * feedback for generic named access" with --trace-deopt). Here every alert becomes one object
 * literal holding every OpticalAlert field in one order, an absent field as undefined: one map
 * on both paths. No consumer tells an absent field from an undefined one (summariseAlert and
 * the quality cuts test `!== undefined`), and the output never holds the alert object itself.
 */
import type { OpticalAlert } from '../optical/optical-alert.ts';
import type { DecodedFile } from './decode-file.ts';

/** An OpticalAlert whose every field is present (undefined when the alert has none). */
type Complete = Record<keyof OpticalAlert, unknown>;

/** The alert with all OpticalAlert fields, in one order: the one shape the engine sees. */
export function oneShapeAlert(a: OpticalAlert): OpticalAlert {
  const alert: Complete = {
    survey: a.survey,
    objectId: a.objectId,
    alertId: a.alertId,
    raDeg: a.raDeg,
    decDeg: a.decDeg,
    timeMjd: a.timeMjd,
    band: a.band,
    magnitude: a.magnitude,
    magnitudeErr: a.magnitudeErr,
    fluxNJy: a.fluxNJy,
    fluxErrNJy: a.fluxErrNJy,
    isPositive: a.isPositive,
    firstDetectionMjd: a.firstDetectionMjd,
    reliability: a.reliability,
    rb: a.rb,
    solarSystem: a.solarSystem,
    ssDistanceArcsec: a.ssDistanceArcsec,
    ssName: a.ssName,
    timeMjdTai: a.timeMjdTai,
    nPreviousDetections: a.nPreviousDetections,
    fink: a.fink,
  };
  return alert as unknown as OpticalAlert;
}

/** A decoded file whose alerts have the one shape (other results as they are). */
export function oneShapeFile(file: DecodedFile): DecodedFile {
  return file.kind === 'alerts' ? { kind: 'alerts', alerts: file.alerts.map(oneShapeAlert) } : file;
}
