namespace ContactCenter.Hosting.Web;

/// <summary>The dashboard's HTML and CSS.</summary>
internal static class DashboardPage
{
    public const string Html = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>Contact center</title>
          <link rel="stylesheet" href="dashboard.css">
        </head>
        <body>
          <header>
            <h1>Contact center</h1>
            <span id="connection" class="pill off">connecting</span>
            <span id="clock"></span>
            <button id="signout" type="button" hidden>Sign out</button>
          </header>
          <form id="login" hidden>
            <label for="key">API key (supervisor, admin or reporting)</label>
            <input id="key" type="password" autocomplete="off" required>
            <button type="submit">Open</button>
            <p id="login-error" class="error"></p>
          </form>
          <main id="board" hidden>
            <section class="wide">
              <h2>Queues</h2>
              <table id="queues">
                <thead><tr><th>Queue</th><th>Waiting</th><th>Longest wait</th><th>Service level</th><th>ASA</th><th>Agents ready</th><th>Answered</th><th>Abandoned</th></tr></thead>
                <tbody></tbody>
              </table>
            </section>
            <section>
              <h2>Agents <span id="agent-counts" class="muted"></span></h2>
              <table id="agents">
                <thead><tr><th>Agent</th><th>State</th><th>Time in state</th><th>Device</th></tr></thead>
                <tbody></tbody>
              </table>
            </section>
            <section>
              <h2>Active calls <span id="call-count" class="muted"></span></h2>
              <table id="calls">
                <thead><tr><th>From</th><th>To</th><th>Where</th><th>Queue</th><th>Agent</th><th>Duration</th></tr></thead>
                <tbody></tbody>
              </table>
            </section>
            <section>
              <h2>Calls per minute <span class="muted">(last 30 minutes)</span></h2>
              <canvas id="cpm" width="560" height="160" aria-label="Calls started per minute over the last 30 minutes"></canvas>
            </section>
            <section>
              <h2>Campaigns</h2>
              <table id="campaigns">
                <thead><tr><th>Campaign</th><th>State</th><th>Progress</th><th>Dials</th><th>Abandon rate / cap</th></tr></thead>
                <tbody></tbody>
              </table>
            </section>
          </main>
          <script src="dashboard.js"></script>
        </body>
        </html>
        """;

    public const string Css = """
        :root { --bg: #f5f6f8; --card: #fff; --ink: #1d2330; --muted: #6b7280; --line: #e3e6eb; --ok: #1a7f37; --warn: #b26a00; --bad: #c62828; --busy: #1f5fbf; }
        * { box-sizing: border-box; }
        [hidden] { display: none !important; }
        body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--ink); }
        header { display: flex; align-items: center; gap: 12px; padding: 10px 20px; background: #1d2330; color: #fff; }
        header h1 { font-size: 18px; margin: 0; flex: 1; }
        header button { background: transparent; color: #fff; border: 1px solid #fff6; border-radius: 4px; padding: 3px 10px; cursor: pointer; }
        .pill { padding: 2px 10px; border-radius: 999px; font-size: 12px; }
        .pill.on { background: var(--ok); } .pill.off { background: var(--bad); }
        main { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; padding: 16px 20px; }
        section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; overflow: auto; }
        section.wide { grid-column: 1 / -1; }
        h2 { font-size: 15px; margin: 0 0 8px; }
        .muted { color: var(--muted); font-weight: normal; font-size: 13px; }
        table { width: 100%; border-collapse: collapse; }
        th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
        th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .state { display: inline-block; min-width: 86px; padding: 1px 8px; border-radius: 4px; font-weight: 600; font-size: 12px; color: #fff; background: var(--muted); }
        .state-Ready, .state-Available { background: var(--ok); } .state-Busy, .state-Reserved { background: var(--busy); }
        .state-WrapUp { background: #7b4fb8; } .state-NotReady { background: var(--warn); } .state-LoggedOut { background: #9aa1ab; }
        .good { color: var(--ok); } .warn { color: var(--warn); } .bad { color: var(--bad); font-weight: 600; }
        .bar { position: relative; height: 8px; background: var(--line); border-radius: 4px; min-width: 120px; }
        .bar > span { position: absolute; left: 0; top: 0; bottom: 0; background: var(--busy); border-radius: 4px; }
        form#login { max-width: 420px; margin: 60px auto; background: var(--card); padding: 20px; border-radius: 8px; border: 1px solid var(--line); display: grid; gap: 8px; }
        form#login input { padding: 8px; font-size: 14px; border: 1px solid var(--line); border-radius: 4px; }
        form#login button { padding: 8px; font-size: 14px; background: var(--busy); color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
        .error { color: var(--bad); min-height: 1em; margin: 0; }
        canvas { width: 100%; max-width: 560px; height: 160px; }
        """;
}
