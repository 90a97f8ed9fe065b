import Database from 'better-sqlite3';
import type { SqlValue } from '../sql-database.js';

/**
 * A small wind-farm operator's database, built the same way in SQLite and PostgreSQL: sites, turbines,
 * technicians, inspections, parts and orders, with foreign keys, dates, NULLs and Chinese names in some
 * rows. The rows come from a seeded generator, so every run (and both dialects) see the same data.
 */

interface ColumnSpec {
  name: string;
  sqlite: string;
  postgres: string;
}

interface TableSpec {
  name: string;
  columns: ColumnSpec[];
  /** Extra clauses after the columns (foreign keys). */
  constraints?: string[];
}

const col = (name: string, sqlite: string, postgres = sqlite): ColumnSpec => ({ name, sqlite, postgres });

export const WIND_FARM_TABLES: TableSpec[] = [
  {
    name: 'sites',
    columns: [
      col('id', 'INTEGER PRIMARY KEY', 'integer PRIMARY KEY'),
      col('name', 'TEXT NOT NULL', 'text NOT NULL'),
      col('region', 'TEXT', 'text'),
      col('country', 'TEXT NOT NULL', 'text NOT NULL'),
      col('capacity_mw', 'REAL NOT NULL', 'numeric(8,1) NOT NULL'),
      col('commissioned_on', 'TEXT', 'date'),
      col('is_offshore', 'INTEGER NOT NULL', 'integer NOT NULL'),
    ],
  },
  {
    name: 'turbines',
    columns: [
      col('id', 'INTEGER PRIMARY KEY', 'integer PRIMARY KEY'),
      col('site_id', 'INTEGER NOT NULL REFERENCES sites(id)', 'integer NOT NULL REFERENCES sites(id)'),
      col('serial', 'TEXT NOT NULL UNIQUE', 'text NOT NULL UNIQUE'),
      col('manufacturer', 'TEXT NOT NULL', 'text NOT NULL'),
      col('model', 'TEXT NOT NULL', 'text NOT NULL'),
      col('rated_kw', 'INTEGER NOT NULL', 'integer NOT NULL'),
      col('hub_height_m', 'REAL', 'numeric(5,1)'),
      col('installed_on', 'TEXT', 'date'),
      col('status', 'TEXT NOT NULL', 'text NOT NULL'),
    ],
  },
  {
    name: 'technicians',
    columns: [
      col('id', 'INTEGER PRIMARY KEY', 'integer PRIMARY KEY'),
      col('name', 'TEXT NOT NULL', 'text NOT NULL'),
      col('team', 'TEXT NOT NULL', 'text NOT NULL'),
      col('hired_on', 'TEXT', 'date'),
    ],
  },
  {
    name: 'inspections',
    columns: [
      col('id', 'INTEGER PRIMARY KEY', 'integer PRIMARY KEY'),
      col('turbine_id', 'INTEGER NOT NULL REFERENCES turbines(id)', 'integer NOT NULL REFERENCES turbines(id)'),
      col('technician_id', 'INTEGER REFERENCES technicians(id)', 'integer REFERENCES technicians(id)'),
      col('inspected_on', 'TEXT NOT NULL', 'date NOT NULL'),
      col('kind', 'TEXT NOT NULL', 'text NOT NULL'),
      col('result', 'TEXT NOT NULL', 'text NOT NULL'),
      col('notes', 'TEXT', 'text'),
    ],
  },
  {
    name: 'parts',
    columns: [
      col('id', 'INTEGER PRIMARY KEY', 'integer PRIMARY KEY'),
      col('part_no', 'TEXT NOT NULL UNIQUE', 'text NOT NULL UNIQUE'),
      col('name', 'TEXT NOT NULL', 'text NOT NULL'),
      col('category', 'TEXT NOT NULL', 'text NOT NULL'),
      col('unit_price', 'REAL NOT NULL', 'numeric(10,2) NOT NULL'),
      col('supplier', 'TEXT NOT NULL', 'text NOT NULL'),
    ],
  },
  {
    name: 'orders',
    columns: [
      col('id', 'INTEGER PRIMARY KEY', 'integer PRIMARY KEY'),
      col('part_id', 'INTEGER NOT NULL REFERENCES parts(id)', 'integer NOT NULL REFERENCES parts(id)'),
      col('turbine_id', 'INTEGER REFERENCES turbines(id)', 'integer REFERENCES turbines(id)'),
      col('ordered_on', 'TEXT NOT NULL', 'date NOT NULL'),
      col('quantity', 'INTEGER NOT NULL', 'integer NOT NULL'),
      col('status', 'TEXT NOT NULL', 'text NOT NULL'),
      col('delivered_on', 'TEXT', 'date'),
    ],
  },
];

/** Table and column descriptions: COMMENT ON in PostgreSQL, the sidecar `descriptions` option for SQLite. */
export const WIND_FARM_DESCRIPTIONS: Record<string, string> = {
  sites: 'Wind farms (风电场) the company operates',
  'sites.capacity_mw': 'Nameplate capacity of the whole site in megawatts',
  'sites.is_offshore': '1 for an offshore (海上) site, 0 for onshore',
  turbines: 'Individual wind turbines (风机), each at one site',
  'turbines.serial': 'Serial number painted on the tower, e.g. ZB-01',
  'turbines.rated_kw': 'Rated power in kilowatts',
  'turbines.status': 'operating, maintenance or decommissioned',
  technicians: 'Field technicians who carry out inspections',
  inspections: 'Inspection visits to a turbine (检查记录)',
  'inspections.kind': 'routine, blade, gearbox or electrical',
  'inspections.result': 'pass, minor_issue or major_issue',
  parts: 'Spare parts catalogue (备件)',
  'parts.unit_price': 'Price of one unit in US dollars',
  orders: 'Spare-part orders; turbine_id is NULL for stock orders',
  'orders.status': 'open, shipped, delivered or cancelled',
};

type Row = SqlValue[];

/** A small, fast, seeded generator (mulberry32): the same rows on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isoDay(start: string, days: number): string {
  const d = new Date(`${start}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The rows of every table, in WIND_FARM_TABLES column order. */
export function windFarmRows(): Record<string, Row[]> {
  const rnd = random(20240917);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const sites: Row[] = [
    [1, '张北风电场', '河北', 'China', 200.5, '2012-06-30', 0],
    [2, '达坂城风电场', '新疆', 'China', 150, '2009-09-15', 0],
    [3, 'Hornsea Two', 'Yorkshire', 'United Kingdom', 1320, '2022-08-31', 1],
    [4, 'Altamont Pass', 'California', 'United States', 576, '1985-04-01', 0],
    [5, '如东海上风电场', '江苏', 'China', 400, '2021-12-25', 1],
    [6, 'Fosen Vind', 'Trøndelag', 'Norway', 1057, '2020-10-01', 0],
  ];
  const fleet: Array<{ site: number; prefix: string; count: number; maker: string; model: string; kw: number; hub: number; from: string }> = [
    { site: 1, prefix: 'ZB', count: 6, maker: 'Goldwind', model: 'GW121-2.5MW', kw: 2500, hub: 90, from: '2012-01-10' },
    { site: 2, prefix: 'DBC', count: 5, maker: 'Goldwind', model: 'GW82-1.5MW', kw: 1500, hub: 70, from: '2009-03-01' },
    { site: 3, prefix: 'HS', count: 6, maker: 'Siemens Gamesa', model: 'SG 8.0-167 DD', kw: 8000, hub: 120.5, from: '2021-05-01' },
    { site: 4, prefix: 'AP', count: 5, maker: 'Vestas', model: 'V90-2.0', kw: 2000, hub: 80, from: '2011-07-01' },
    { site: 5, prefix: 'RD', count: 5, maker: 'Mingyang', model: 'MySE 5.5-155', kw: 5500, hub: 107, from: '2021-02-01' },
    { site: 6, prefix: 'FV', count: 5, maker: 'Vestas', model: 'V117-3.6', kw: 3600, hub: 87, from: '2019-04-15' },
  ];
  const turbines: Row[] = [];
  for (const f of fleet) {
    for (let n = 1; n <= f.count; n++) {
      const r = rnd();
      const status = r < 0.72 ? 'operating' : r < 0.9 ? 'maintenance' : 'decommissioned';
      const hub = n === 3 && f.site === 3 ? f.hub + 4 : f.hub;
      turbines.push([turbines.length + 1, f.site, `${f.prefix}-${String(n).padStart(2, '0')}`, f.maker, f.model, f.kw, hub, isoDay(f.from, Math.floor(rnd() * 300)), status]);
    }
  }
  const technicians: Row[] = [
    [1, '王伟', 'North', '2015-03-02'],
    [2, '李娜', 'North', '2018-07-16'],
    [3, 'Emma Hughes', 'Offshore', '2019-01-07'],
    [4, 'Carlos Diaz', 'West', '2012-11-19'],
    [5, '陈静', 'Offshore', '2021-05-24'],
    [6, 'Lars Berg', 'Nordic', '2020-02-03'],
  ];
  const teamFor: Record<number, number[]> = { 1: [1, 2], 2: [1, 2], 3: [3, 5], 4: [4], 5: [5, 3], 6: [6] };
  const notes = ['Gearbox oil sample taken', 'Oil leak at yaw drive', '齿轮箱油位正常', 'Blade leading edge erosion', '叶片前缘轻微腐蚀', 'Converter fault cleared', 'No findings', null];
  const inspections: Row[] = [];
  // The last turbine of each site is never inspected, so "turbines without inspections" has an answer.
  const lastOfSite = new Set(fleet.map((f) => `${f.prefix}-${String(f.count).padStart(2, '0')}`));
  for (let i = 0; i < 90; i++) {
    let turbine: Row;
    do turbine = pick(turbines);
    while (lastOfSite.has(turbine[2] as string));
    const kind = pick(['routine', 'routine', 'blade', 'gearbox', 'electrical'] as const);
    const r = rnd();
    const result = r < 0.6 ? 'pass' : r < 0.85 ? 'minor_issue' : 'major_issue';
    inspections.push([inspections.length + 1, turbine[0]!, rnd() < 0.05 ? null : pick(teamFor[turbine[1] as number]!), isoDay('2022-01-03', Math.floor(rnd() * 1090)), kind, result, pick(notes)]);
  }
  const parts: Row[] = [
    [1, 'GB-BRG-01', '齿轮箱轴承', 'gearbox', 18500, 'SKF'],
    [2, 'GB-OIL-20', 'Gearbox oil 20 L', 'gearbox', 640, 'Shell'],
    [3, 'BL-BOLT-M36', 'Blade root bolt M36', 'blade', 85.5, 'Würth'],
    [4, 'BL-LEP-01', 'Leading edge protection kit', 'blade', 2300, '3M'],
    [5, 'GN-BRUSH', 'Generator carbon brush', 'generator', 45.9, 'Mersen'],
    [6, 'GN-BRG-02', 'Generator bearing', 'generator', 7200, 'SKF'],
    [7, 'EL-IGBT', 'Converter IGBT module', 'electrical', 3100, 'Infineon'],
    [8, 'EL-SLIP', 'Slip ring', 'electrical', 1250, 'Moog'],
    [9, 'PT-MOTOR', '变桨电机', 'pitch', 4800, '卧龙电驱'],
    [10, 'HY-FILT', '液压油滤芯', 'hydraulic', 120, 'Hydac'],
    [11, 'YW-DRIVE', 'Yaw drive', 'yaw', 15600, 'Bonfiglioli'],
    [12, 'MS-SHAFT', '主轴', 'drivetrain', 96000, '中车'],
    [13, 'SN-ANEMO', 'Ultrasonic anemometer', 'sensor', 980, 'Gill'],
    [14, 'LT-RECEP', 'Lightning receptor', 'blade', 210, 'Würth'],
  ];
  const orders: Row[] = [];
  for (let i = 0; i < 55; i++) {
    // Parts 13 and 14 are never ordered.
    const part = parts[Math.floor(rnd() * 12)]!;
    const turbine = rnd() < 0.2 ? null : pick(turbines)[0]!;
    const ordered = isoDay('2022-02-01', Math.floor(rnd() * 1050));
    const r = rnd();
    const status = r < 0.55 ? 'delivered' : r < 0.72 ? 'shipped' : r < 0.9 ? 'open' : 'cancelled';
    const quantity = part[3] === 'blade' ? 4 + Math.floor(rnd() * 40) : 1 + Math.floor(rnd() * 4);
    orders.push([orders.length + 1, part[0]!, turbine, ordered, quantity, status, status === 'delivered' ? isoDay(ordered, 3 + Math.floor(rnd() * 60)) : null]);
  }
  return { sites, turbines, technicians, inspections, parts, orders };
}

/** The whole database as SQL for the dialect: tables, comments (PostgreSQL), rows. */
export function windFarmScript(dialect: 'sqlite' | 'postgres'): string {
  const rows = windFarmRows();
  const literal = (v: SqlValue) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);
  const lines: string[] = [];
  for (const table of WIND_FARM_TABLES) {
    const defs = table.columns.map((c) => `  ${c.name} ${dialect === 'sqlite' ? c.sqlite : c.postgres}`);
    lines.push(`CREATE TABLE ${table.name} (\n${[...defs, ...(table.constraints ?? [])].join(',\n')}\n);`);
  }
  if (dialect === 'postgres') {
    // Order numbers come from a sequence: nextval() is a write a query must not make.
    lines.push('CREATE SEQUENCE order_numbers START 1000;');
    for (const [key, text] of Object.entries(WIND_FARM_DESCRIPTIONS)) {
      lines.push(`COMMENT ON ${key.includes('.') ? 'COLUMN' : 'TABLE'} ${key} IS ${literal(text)};`);
    }
  }
  for (const table of WIND_FARM_TABLES) {
    for (const row of rows[table.name]!) lines.push(`INSERT INTO ${table.name} VALUES (${row.map(literal).join(', ')});`);
  }
  return lines.join('\n');
}

/** Writes the database to a new SQLite file. */
export function createWindFarmSqlite(path: string): void {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = DELETE');
    db.exec(`BEGIN;\n${windFarmScript('sqlite')}\nCOMMIT;`);
  } finally {
    db.close();
  }
}
