export { supportCase } from './supportCase';
export { notifyPeople } from './notifyPeople';
