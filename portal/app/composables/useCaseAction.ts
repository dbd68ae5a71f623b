// One technician action on a case (POST /api/cases/:id/...): busy while it runs, the API's
// own words when it is refused (a 409 says why the case would not take it).

export function useCaseAction(caseId: string) {
  const { api } = useApi();
  const busy = ref(false);
  const problem = ref('');

  /** True when the case took it. */
  async function post(action: string, body: unknown = {}): Promise<boolean> {
    busy.value = true;
    problem.value = '';
    const res = await api(`/api/cases/${encodeURIComponent(caseId)}/${action}`, {
      method: 'POST',
      body,
    });
    busy.value = false;
    if (!res.ok) problem.value = res.error ?? 'The case did not take that. Please try again.';
    return res.ok;
  }

  return { busy, problem, post };
}
