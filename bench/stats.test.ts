import { mean, meanCpu, median, percentile } from './stats';

describe("the bench's statistics", () => {
  it('takes percentiles by nearest rank', () => {
    const values = [5, 1, 4, 2, 3];
    expect(percentile(values, 50)).toBe(3);
    expect(percentile(values, 99)).toBe(5);
    expect(percentile([], 50)).toBeUndefined();
  });

  it('gives the median as one of the values, the lower middle one for an even count', () => {
    expect(median([0.74, 0.69, 0.78])).toBe(0.74);
    expect(median([3, 1, 4, 2])).toBe(2);
    expect(median([7])).toBe(7);
  });

  it("averages each process's CPU over runs", () => {
    expect(mean([1, 2, 6])).toBe(3);
    expect(
      meanCpu([
        { worker: 3.2, api: 1 },
        { worker: 3.6, api: 0.8 },
      ]),
    ).toEqual({ worker: 3.4, api: 0.9 });
  });
});
