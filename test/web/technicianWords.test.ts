import { fixCatalog } from '../../api/routes/fixes';
import { parseRemediation } from '../../contracts/remediation';
import { ResolutionCode, UnfixableReason } from '../../contracts/technician';
import type { CaseSla, JsonSchema, TechnicianPhase } from '../../portal/shared/types/api';
import {
  paramFields,
  paramValues,
  resolutionLabel,
  slaLines,
  unfixableLabel,
} from '../../portal/app/utils/technician';

// The technician's panel in words: closing codes never as ids, the SLA clock, and the
// proposal form that the catalog's own JSON Schema builds.

const MIN = 60_000;

describe("the portal's words for a case with a technician", () => {
  it.each(ResolutionCode.options)('names the resolution %s in words', (code) => {
    expect(resolutionLabel(code)).not.toMatch(/_/);
    expect(resolutionLabel(code)).not.toBe('Resolved');
  });

  it.each(UnfixableReason.options)('names the reason %s in words', (reason) => {
    expect(unfixableLabel(reason)).not.toMatch(/_/);
    expect(unfixableLabel(reason)).not.toBe('It cannot be fixed remotely');
  });

  describe('the SLA clock', () => {
    const sla: CaseSla = { firstResponseMinutes: 60, resolutionMinutes: 480, breaches: [] };
    const openedAt = Date.UTC(2026, 11, 1, 9, 0);
    const technician: TechnicianPhase = { handedOverAt: openedAt + 20 * MIN, notes: [] };

    it('says when each level is due while it runs', () => {
      const lines = slaLines({ sla, technician, openedAt }, openedAt + 30 * MIN);
      expect(lines.map((l) => [l.label, l.text, l.breached])).toEqual([
        ['First response', 'Due in 50 min', false],
        ['Resolution', 'Due in 7 h 30 min', false],
      ]);
      expect(lines[0]!.dueAt).toBe(openedAt + 80 * MIN);
    });

    it('marks a level overdue once its time has passed, and one recorded as breached', () => {
      const late = slaLines({ sla, technician, openedAt }, openedAt + 95 * MIN);
      expect(late[0]).toMatchObject({ text: 'Overdue by 15 min', breached: true });
      expect(late[1]!.breached).toBe(false);
      // The case recorded a breach (its clock is the workflow's, not this browser's).
      const recorded = slaLines(
        {
          sla: { ...sla, breaches: [{ kind: 'resolution', at: openedAt + 480 * MIN }] },
          technician,
          openedAt,
        },
        openedAt + 30 * MIN,
      );
      expect(recorded[1]!.breached).toBe(true);
    });

    it('says a level was met, in time or late, once it is done', () => {
      const lines = slaLines(
        {
          sla,
          technician: { ...technician, firstResponseAt: openedAt + 25 * MIN },
          openedAt,
          closedAt: openedAt + 500 * MIN,
        },
        openedAt + 900 * MIN,
      );
      expect(lines.map((l) => [l.text, l.breached])).toEqual([
        ['Met in time', false],
        ['Met 20 min late', true],
      ]);
    });

    it('shows nothing before the hand-over', () => {
      expect(slaLines({ sla, openedAt }, openedAt)).toEqual([]);
    });
  });

  describe('the proposal form', () => {
    const schemas = new Map(fixCatalog().fixes.map((f) => [f.action, f.params as JsonSchema]));
    const form = (action: string, typed: Record<string, string>) =>
      paramValues(paramFields(schemas.get(action as never)!), typed);

    it('labels every parameter of every fix in words', () => {
      for (const [, schema] of schemas) {
        for (const field of paramFields(schema)) expect(field.label).not.toBe(field.name);
      }
    });

    it('builds parameters the catalog accepts from what the technician typed', () => {
      const typed: Record<string, Record<string, string>> = {
        renew_dhcp_lease: { interface: 'eth0' },
        power_cycle_modem: { offSeconds: '15' },
        switch_dns_fallback: { resolver: '9.9.9.9' },
        router_set_dhcp_dns: { servers: '192.168.1.1, 9.9.9.9' },
        router_set_dhcp_gateway: { gateway: '192.168.1.1' },
        flush_dns: {},
      };
      for (const [action, values] of Object.entries(typed)) {
        const built = form(action, values);
        expect('params' in built).toBe(true);
        if ('params' in built) expect(() => parseRemediation(action, built.params)).not.toThrow();
      }
      expect(form('router_set_dhcp_dns', { servers: '192.168.1.1, 9.9.9.9' })).toEqual({
        params: { servers: ['192.168.1.1', '9.9.9.9'] },
      });
    });

    it('offers the choices a parameter has, and says what is missing or not a number', () => {
      const [iface] = paramFields(schemas.get('renew_dhcp_lease')!);
      expect(iface).toMatchObject({ kind: 'choice', options: ['eth0', 'wlan0'] });
      const [off] = paramFields(schemas.get('power_cycle_modem')!);
      expect(off).toMatchObject({ kind: 'whole-number', min: 5, max: 60, help: 'From 5 to 60.' });
      expect(form('power_cycle_modem', { offSeconds: 'ten' })).toEqual({
        problem: 'Seconds to keep it switched off: a whole number, please.',
      });
      expect(form('switch_dns_fallback', { resolver: '  ' })).toEqual({
        problem: 'DNS resolver address: please fill this in.',
      });
    });
  });
});
