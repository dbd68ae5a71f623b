export { recordCase } from './caseStore';
