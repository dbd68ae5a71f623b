import { cpuOfKind, named } from './stack';

describe('naming and summing the processes of a run', () => {
  it('names a lone process by its kind and several by number', () => {
    expect(named('api', ['a'])).toEqual([['api', 'a']]);
    expect(named('worker', ['a', 'b'])).toEqual([
      ['worker 1', 'a'],
      ['worker 2', 'b'],
    ]);
  });

  it("sums one kind's CPU over its instances and nothing else", () => {
    const cpu = { 'api 1': 1.5, 'api 2': 2, worker: 4, 'bench (devices, customer)': 3 };
    expect(cpuOfKind(cpu, 'api')).toBe(3.5);
    expect(cpuOfKind(cpu, 'worker')).toBe(4);
    expect(cpuOfKind(cpu, 'bench')).toBe(0);
  });
});
