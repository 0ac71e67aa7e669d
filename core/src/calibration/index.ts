export {
  applyCalibration,
  type Calibration,
  type CalibrationMethod,
  type CalibrationPair,
  calibrationLabel,
  type FitCalibrationOptions,
  fitCalibration,
  type IsotonicCalibration,
  type LogisticCalibration,
  MIN_CALIBRATION_POSITIVES,
  MIN_CALIBRATION_ROWS,
  poolAdjacentViolators,
} from './calibration.ts';
