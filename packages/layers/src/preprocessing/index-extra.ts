// Extra image / feature preprocessing layers (RandomGrayscale ... HashedCrossing); merge into index.ts when ready.
export { AutoContrast, type AutoContrastArgs } from './auto-contrast';
export { CutMix, type CutMixArgs } from './cut-mix';
export { Equalization, type EqualizationArgs } from './equalization';
export { HashedCrossing, type HashedCrossingArgs, type HashedCrossingOutputMode } from './hashed-crossing';
export { MixUp, type MixUpArgs } from './mix-up';
export { RandomColorDegeneration, type RandomColorDegenerationArgs } from './random-color-degeneration';
export { RandomErasing, type RandomErasingArgs } from './random-erasing';
export { RandomGaussianBlur, type RandomGaussianBlurArgs, convolveAxis, gaussianTaps } from './random-gaussian-blur';
export { RandomGrayscale, type RandomGrayscaleArgs } from './random-grayscale';
export { RandomHue, type RandomHueArgs } from './random-hue';
export { RandomInvert, type RandomInvertArgs } from './random-invert';
export { RandomPosterization, type RandomPosterizationArgs } from './random-posterization';
export { RandomSaturation, type RandomSaturationArgs } from './random-saturation';
export { RandomSharpness, type RandomSharpnessArgs } from './random-sharpness';
export { RandomShear, type RandomShearArgs } from './random-shear';
export { Solarization, type SolarizationArgs } from './solarization';
