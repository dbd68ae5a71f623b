import { jsonLog } from './log';

describe('the agent log', () => {
  it('writes one JSON line per event, with the fields that join it to its case', () => {
    const lines: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
    try {
      jsonLog('command done', { caseId: 'case-1', commandId: 'case-1:cmd1' });
    } finally {
      spy.mockRestore();
    }
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      service: 'agent',
      caseId: 'case-1',
      commandId: 'case-1:cmd1',
      msg: 'command done',
    });
  });
});
