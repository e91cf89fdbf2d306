// How numbers, sizes and times read on screen (the CLI's forms: 2G, 1h 5m, local dates).

export function bytes(value: number | undefined | null): string {
  if (value === undefined || value === null) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = value;
  let unit = 0;
  while (Math.abs(v) >= 1024 && unit < units.length - 1) {
    v /= 1024;
    unit++;
  }
  return `${unit === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[unit]}`;
}

export function duration(seconds: number | undefined | null): string {
  if (seconds === undefined || seconds === null || !isFinite(seconds)) return "–";
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}

export function since(from: string | undefined, to?: string): string {
  if (!from) return "–";
  const end = to ? Date.parse(to) : Date.now();
  return duration((end - Date.parse(from)) / 1000);
}

export function dateTime(value: string | undefined | null): string {
  if (!value) return "–";
  const d = new Date(value);
  return d.toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" });
}

export function cpus(value: number | undefined): string {
  if (value === undefined) return "–";
  return Number.isInteger(value) ? String(value) : value.toFixed(2).replace(/0+$/, "");
}

export function number(value: number | undefined | null, digits = 2): string {
  if (value === undefined || value === null) return "–";
  return value.toFixed(digits);
}
