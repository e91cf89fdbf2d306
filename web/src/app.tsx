import { useEffect, useState } from "preact/hooks";
import { LocationProvider, Router, Route, useLocation } from "preact-iso";
import { api, ApiError, setCsrfToken, setUnauthorizedHandler } from "./api/client";
import type { SessionView } from "./api/types";
import { SessionContext, type Session } from "./session";
import { Login } from "./pages/Login";
import { Dashboard } from "./pages/Dashboard";
import { Jobs } from "./pages/Jobs";
import { JobPage } from "./pages/Job";
import { Submit } from "./pages/Submit";
import { Admin } from "./pages/Admin";
import { NotFound } from "./pages/NotFound";

export function App() {
  // undefined: asking the server; null: no session (the login form).
  const [session, setSession] = useState<SessionView | null | undefined>(undefined);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    setUnauthorizedHandler(() => setSession(null));
    api
      .get<SessionView>("/auth/session")
      .then((s) => {
        setCsrfToken(s.csrfToken);
        setSession(s);
      })
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 401) setSession(null);
        else setFailure(e instanceof Error ? e.message : String(e));
      });
  }, []);

  if (failure) return <main class="page"><p class="error" role="alert">The server did not answer: {failure}</p></main>;
  if (session === undefined) return <main class="page"><p class="muted">Loading…</p></main>;
  if (session === null) {
    return (
      <Login
        onLoggedIn={(s) => {
          setCsrfToken(s.csrfToken);
          setSession(s);
        }}
      />
    );
  }
  const value: Session = {
    ...session,
    logout: async () => {
      await api.delete("/auth/session").catch(() => undefined);
      setCsrfToken("");
      setSession(null);
    },
  };
  return (
    <SessionContext.Provider value={value}>
      <LocationProvider>
        <Layout>
          <Router>
            <Route path="/" component={Dashboard} />
            <Route path="/jobs" component={Jobs} />
            <Route path="/jobs/:id" component={JobPage} />
            <Route path="/submit" component={Submit} />
            <Route path="/admin" component={Admin} />
            <Route path="/admin/:tab" component={Admin} />
            <Route default component={NotFound} />
          </Router>
        </Layout>
      </LocationProvider>
    </SessionContext.Provider>
  );
}

function Layout({ children }: { children: preact.ComponentChildren }) {
  const { path } = useLocation();
  const [open, setOpen] = useState(false);
  return (
    <SessionContext.Consumer>
      {(session) => (
        <>
          <header class="top">
            <a class="brand" href="/">GoDocker</a>
            <button class="menu" aria-label="Menu" aria-expanded={open} onClick={() => setOpen(!open)}>☰</button>
            <nav class={open ? "open" : ""} onClick={() => setOpen(false)}>
              <NavLink href="/" current={path === "/"}>Dashboard</NavLink>
              <NavLink href="/jobs" current={path.startsWith("/jobs")}>Jobs</NavLink>
              <NavLink href="/submit" current={path === "/submit"}>Submit</NavLink>
              {session?.user.admin && <NavLink href="/admin" current={path.startsWith("/admin")}>Administration</NavLink>}
              <span class="who" data-testid="who">{session?.user.login}</span>
              {session?.authentication !== "none" && (
                <button class="link" onClick={() => void session?.logout()}>Log out</button>
              )}
            </nav>
          </header>
          <main class="page">{children}</main>
        </>
      )}
    </SessionContext.Consumer>
  );
}

function NavLink({ href, current, children }: { href: string; current: boolean; children: preact.ComponentChildren }) {
  return <a href={href} aria-current={current ? "page" : undefined}>{children}</a>;
}
