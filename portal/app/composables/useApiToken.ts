const STORAGE_KEY = 'zen.apiToken';

// The API token lives in sessionStorage so it survives reloads but not closing the tab.
// Sign-in with one-time codes replaces this in a later milestone.
export function useApiToken() {
  const token = useState('apiToken', () => '');

  function load() {
    token.value = sessionStorage.getItem(STORAGE_KEY) ?? '';
  }

  function save(value: string) {
    token.value = value;
    if (value) sessionStorage.setItem(STORAGE_KEY, value);
    else sessionStorage.removeItem(STORAGE_KEY);
  }

  return { token: readonly(token), load, save };
}
