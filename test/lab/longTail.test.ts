import { aboutTheLongTail, testScenarios } from './scenarioChecks';
import { describeLab } from './support';

// The real agent in the lab through the scenarios of the long tail: faults that
// only the long-tail checks find (scenarioChecks.ts), beside the basic faults'
// file so that both run at once.

describeLab('the real agent in the network lab: the long tail', () => {
  testScenarios(aboutTheLongTail);
});
