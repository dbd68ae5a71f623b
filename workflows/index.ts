export { supportCase } from './supportCase';
export { healthCompaction, offlineSweep } from './healthSweep';
export { notifyPeople } from './notifyPeople';
export { monthlyReports } from './monthlyReports';
export { retention } from './retention';
