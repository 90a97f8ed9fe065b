import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './test-support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lore-redteam-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lore redteam', () => {
  it('reports attack success per family with and without the guard, as JSON and HTML, and fails CI above a rate', async () => {
    const html = join(dir, 'report.html');
    const out = join(dir, 'report.json');
    const r = await runCli(['redteam', '--families', 'direct-injection,jailbreak,sql-injection', '--json', '--html', html, '--out', out, '--fail-above', '0.5']);
    expect(r.code).toBe(1); // the unguarded obedient model is above 50%
    expect(r.stderr).toMatch(/attack success above 0\.5: direct-injection 100% \(guard off\)/);
    const report = JSON.parse(r.stdout) as { runs: Array<{ guard: boolean; families: Array<{ family: string; available: boolean; rate: number | null }> }> };
    expect(report.runs.map((x) => x.guard)).toEqual([false, true]);
    expect(report.runs[0]!.families.find((f) => f.family === 'jailbreak')!.rate).toBe(1);
    expect(report.runs[1]!.families.find((f) => f.family === 'jailbreak')!.rate).toBe(0);
    expect(report.runs[1]!.families.find((f) => f.family === 'sql-injection')!.available).toBe(true);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(report);
    expect(existsSync(html)).toBe(true);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<td class="ok">0%');
    expect(page).not.toMatch(/<img/);
  });

  it('passes --fail-above with the guard on, and prints a table', async () => {
    const r = await runCli(['redteam', '--guard', 'on', '--families', 'jailbreak,system-prompt-extraction', '--fail-above', '0.2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/jailbreak\s+0% \(0\/5\)/);
    expect(r.stdout).toMatch(/benign control questions refused by the guard: 0\/5/);
  });

  it('refuses an unknown family', async () => {
    const r = await runCli(['redteam', '--families', 'nope']);
    expect(r.code).toBe(2);
  });
});
