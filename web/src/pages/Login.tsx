import { useState } from "preact/hooks";
import { api, ApiError } from "../api/client";
import type { SessionView } from "../api/types";

/** The login form: local accounts or the site's LDAP, whichever the server is configured with. */
export function Login({ onLoggedIn }: { onLoggedIn: (session: SessionView) => void }) {
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLoggedIn(await api.post<SessionView>("/auth/session", { login, password }));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "The server did not answer");
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="login">
      <form onSubmit={submit} aria-label="Log in">
        <h1>GoDocker</h1>
        <label>
          Login
          <input name="login" autocomplete="username" required value={login} onInput={(e) => setLogin(e.currentTarget.value)} />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required value={password}
            onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>Log in</button>
      </form>
    </main>
  );
}
