export { cv2, finite, mean, quantileOf, standardDeviation, sum, variance } from './descriptive.ts';
export {
  discreteQuantile,
  type NegBinParams,
  negBinCdf,
  negBinParams,
  negBinPmf,
  negBinQuantile,
  poissonCdf,
  poissonPmf,
  poissonQuantile,
} from './discrete.ts';
export { normalCdf, normalInv, normalLoss, normalPdf } from './normal.ts';
export { ols } from './ols.ts';
export { mulberry32, randomInt } from './prng.ts';
export { MAD_TO_SD, mad, median, robustScale, rollingMedian } from './robust.ts';
export { betaI, gammaP, gammaQ, lnGamma } from './special.ts';
