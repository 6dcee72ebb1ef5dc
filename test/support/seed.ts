// A database worth backing up: several schemas, a view, a sequence, a large object, non-ASCII
// text, a contrib extension, an inherited table and a table with a few hundred thousand rows.
// It is UTF8 on a server whose default is SQL_ASCII, so an encoding slip would show.
import type { PgContainer } from './pg-container.ts';

export const BIG_ROWS = 300_000;

/** `rows` sizes shop.orders: the default makes a dump that takes a while; tests of other paths pass fewer. */
export async function createRichDatabase(pg: PgContainer, db: string, owner = 'postgres', rows = BIG_ROWS): Promise<void> {
  await pg.sql('postgres', `CREATE DATABASE "${db}" OWNER "${owner}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
  await pg.sql(db, `
    CREATE EXTENSION IF NOT EXISTS pgcrypto;
    CREATE SCHEMA shop;
    CREATE SCHEMA audit;
    CREATE SEQUENCE shop.invoice_no START 1000;
    CREATE TABLE shop.customers (id serial PRIMARY KEY, name text NOT NULL, city text);
    INSERT INTO shop.customers (name, city) VALUES
      ('Zoë Ångström', 'Malmö'), ('Jürgen Groß', 'München'), ('Łukasz Żółć', 'Łódź'),
      ('山田太郎', '東京'), ('Ана Иванова', 'Москва'), ('O''Brien', 'Dublin');
    CREATE TABLE shop.orders (id bigserial PRIMARY KEY, customer_id int REFERENCES shop.customers(id),
      invoice int DEFAULT nextval('shop.invoice_no'), total numeric(10,2), token text DEFAULT encode(gen_random_bytes(8), 'hex'));
    INSERT INTO shop.orders (customer_id, total)
      SELECT 1 + (g % 6), (g % 1000) / 10.0 FROM generate_series(1, ${rows}) g;
    CREATE VIEW shop.order_totals AS SELECT customer_id, sum(total) AS total FROM shop.orders GROUP BY customer_id;
    CREATE TABLE audit.events (id serial PRIMARY KEY, at timestamptz DEFAULT now(), note text);
    CREATE TABLE audit.events_2026 () INHERITS (audit.events);
    INSERT INTO audit.events (note) VALUES ('créé'), ('geändert');
    INSERT INTO audit.events_2026 (note) VALUES ('inherited row');
    CREATE TABLE public.documents (id int PRIMARY KEY, body oid);
    INSERT INTO public.documents VALUES (1, lo_from_bytea(0, convert_to('large object ✓', 'UTF8')));
    SELECT nextval('shop.invoice_no');
  `);
}

/** Row counts per table as the tests expect them in the manifest (FROM ONLY semantics). */
export const EXPECTED_COUNTS: Record<string, number> = {
  'audit.events': 2,
  'audit.events_2026': 1,
  'public.documents': 1,
  'shop.customers': 6,
  'shop.orders': BIG_ROWS,
};

/** A hash of every table's ordered rows: content compared, not just counts. */
export async function tableHashes(pg: PgContainer, db: string): Promise<Record<string, string>> {
  const tables = (await pg.sql(db, `SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`))
    .split('\n')
    .filter(Boolean);
  const out: Record<string, string> = {};
  for (const t of tables) out[t] = await pg.sql(db, `SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM ONLY ${t} x`);
  return out;
}

export async function databases(pg: PgContainer): Promise<string[]> {
  return (await pg.sql('postgres', 'SELECT datname FROM pg_database ORDER BY 1')).split('\n');
}
