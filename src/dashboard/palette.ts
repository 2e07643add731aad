// Distinguishable series colours (Okabe-Ito, colour-blind safe), cycled.
const colours = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

export function colour(i: number): string {
  return colours[i % colours.length];
}
