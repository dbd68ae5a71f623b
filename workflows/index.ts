export { supportCase } from './supportCase';
export { healthCompaction, offlineSweep } from './healthSweep';
