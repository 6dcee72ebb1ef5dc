import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstUnrestored, parseToc, TOC_DESCRIPTORS, tocTableEntries } from '../../lib/pg/toc-entries.ts';

// One line per descriptor pg_dump 15 and 17 write, as pg_restore --list prints them (taken from
// real listings, the regression database's among them): [line, descriptor, rest].
const LINES: Array<[string, string, string]> = [
  ['1; 2605 16400 ACCESS METHOD - heap2 ', 'ACCESS METHOD', '- heap2 '],
  ['4105; 0 0 ACL - SCHEMA public pg_database_owner', 'ACL', '- SCHEMA public pg_database_owner'],
  ['230; 1255 16500 AGGREGATE public sum2(integer) postgres', 'AGGREGATE', 'public sum2(integer) postgres'],
  ['4100; 2613 16600 BLOB - 16600 postgres', 'BLOB', '- 16600 postgres'],
  ['4101; 0 0 BLOB COMMENTS - BLOB COMMENTS ', 'BLOB COMMENTS', '- BLOB COMMENTS '],
  ['4102; 0 0 BLOBS - BLOBS ', 'BLOBS', '- BLOBS '],
  ['4103; 0 0 BLOB METADATA - BLOB METADATA ', 'BLOB METADATA', '- BLOB METADATA '],
  ['3010; 2605 16700 CAST - CAST (integer AS text) ', 'CAST', '- CAST (integer AS text) '],
  ['3011; 2606 16701 CHECK CONSTRAINT public t t_check postgres', 'CHECK CONSTRAINT', 'public t t_check postgres'],
  ['3012; 3456 16702 COLLATION public "de-x-icu" postgres', 'COLLATION', 'public "de-x-icu" postgres'],
  ['4200; 0 0 COMMENT - EXTENSION plpgsql ', 'COMMENT', '- EXTENSION plpgsql '],
  ['3013; 2606 16703 CONSTRAINT public orders orders_pkey alice', 'CONSTRAINT', 'public orders orders_pkey alice'],
  ['3014; 2607 16704 CONVERSION public myconv postgres', 'CONVERSION', 'public myconv postgres'],
  ['4300; 1262 16384 DATABASE - regression postgres', 'DATABASE', '- regression postgres'],
  ['0; 0 0 DATABASE PROPERTIES - regression postgres', 'DATABASE PROPERTIES', '- regression postgres'],
  ['3015; 2604 16705 DEFAULT public orders id alice', 'DEFAULT', 'public orders id alice'],
  ['4400; 826 16706 DEFAULT ACL public DEFAULT PRIVILEGES FOR TABLES regress_user', 'DEFAULT ACL', 'public DEFAULT PRIVILEGES FOR TABLES regress_user'],
  ['3016; 1247 16707 DOMAIN public posint postgres', 'DOMAIN', 'public posint postgres'],
  ['0; 0 0 ENCODING - ENCODING ', 'ENCODING', '- ENCODING '],
  ['3017; 3466 16708 EVENT TRIGGER - regress_event_trigger postgres', 'EVENT TRIGGER', '- regress_event_trigger postgres'],
  ['2; 3079 16709 EXTENSION - pgcrypto ', 'EXTENSION', '- pgcrypto '],
  ['3018; 2606 16710 FK CONSTRAINT public orders orders_customer_id_fkey alice', 'FK CONSTRAINT', 'public orders orders_customer_id_fkey alice'],
  ['3019; 2328 16711 FOREIGN DATA WRAPPER - dummy postgres', 'FOREIGN DATA WRAPPER', '- dummy postgres'],
  ['3020; 1417 16712 SERVER - s1 postgres', 'SERVER', '- s1 postgres'],
  ['3021; 1417 16713 FOREIGN SERVER - s2 postgres', 'FOREIGN SERVER', '- s2 postgres'],
  ['3022; 1259 16714 FOREIGN TABLE public remote postgres', 'FOREIGN TABLE', 'public remote postgres'],
  ['3023; 1255 16715 FUNCTION public f(integer) postgres', 'FUNCTION', 'public f(integer) postgres'],
  ['3024; 1259 16716 INDEX public orders_total_idx alice', 'INDEX', 'public orders_total_idx alice'],
  ['3025; 0 0 INDEX ATTACH public idxpart1_a_idx ', 'INDEX ATTACH', 'public idxpart1_a_idx '],
  ['4500; 2613 16717 LARGE OBJECT - 16717 postgres', 'LARGE OBJECT', '- 16717 postgres'],
  ['4501; 0 0 LARGE OBJECTS - LARGE OBJECTS 16717..16720 ', 'LARGE OBJECTS', '- LARGE OBJECTS 16717..16720 '],
  ['3026; 1259 16718 MATERIALIZED VIEW public mv postgres', 'MATERIALIZED VIEW', 'public mv postgres'],
  ['4600; 0 16718 MATERIALIZED VIEW DATA public mv postgres', 'MATERIALIZED VIEW DATA', 'public mv postgres'],
  ['3027; 2617 16719 OPERATOR public ===(integer,integer) postgres', 'OPERATOR', 'public ===(integer,integer) postgres'],
  ['3028; 2616 16720 OPERATOR CLASS public myops USING btree postgres', 'OPERATOR CLASS', 'public myops USING btree postgres'],
  ['3029; 2753 16721 OPERATOR FAMILY public myfam USING btree postgres', 'OPERATOR FAMILY', 'public myfam USING btree postgres'],
  ['3030; 3256 16722 POLICY public rls_tbl p1 postgres', 'POLICY', 'public rls_tbl p1 postgres'],
  ['3031; 2612 16723 PROCEDURAL LANGUAGE - plsample postgres', 'PROCEDURAL LANGUAGE', '- plsample postgres'],
  ['3032; 1255 16724 PROCEDURE public p() postgres', 'PROCEDURE', 'public p() postgres'],
  ['3033; 6104 16725 PUBLICATION - testpub postgres', 'PUBLICATION', '- testpub postgres'],
  ['3034; 6106 16726 PUBLICATION TABLE public testpub testpub_tbl1', 'PUBLICATION TABLE', 'public testpub testpub_tbl1'],
  ['3035; 6237 16727 PUBLICATION TABLES IN SCHEMA - testpub pub_test', 'PUBLICATION TABLES IN SCHEMA', '- testpub pub_test'],
  ['3036; 0 16728 ROW SECURITY public rls_tbl postgres', 'ROW SECURITY', 'public rls_tbl postgres'],
  ['3037; 2618 16729 RULE public t r1 postgres', 'RULE', 'public t r1 postgres'],
  ['3038; 2615 16730 SCHEMA - shop postgres', 'SCHEMA', '- shop postgres'],
  ['0; 0 0 SEARCHPATH - SEARCHPATH ', 'SEARCHPATH', '- SEARCHPATH '],
  ['4700; 0 0 SECURITY LABEL - TABLE t ', 'SECURITY LABEL', '- TABLE t '],
  ['3039; 1259 16731 SEQUENCE shop invoice_no postgres', 'SEQUENCE', 'shop invoice_no postgres'],
  ['3040; 0 0 SEQUENCE OWNED BY shop orders_id_seq postgres', 'SEQUENCE OWNED BY', 'shop orders_id_seq postgres'],
  ['4800; 0 0 SEQUENCE SET shop invoice_no postgres', 'SEQUENCE SET', 'shop invoice_no postgres'],
  ['3041; 1247 16732 SHELL TYPE public widget postgres', 'SHELL TYPE', 'public widget postgres'],
  ['3042; 3381 16733 STATISTICS public ab1_a_b_stats postgres', 'STATISTICS', 'public ab1_a_b_stats postgres'],
  ['0; 0 0 STDSTRINGS - STDSTRINGS ', 'STDSTRINGS', '- STDSTRINGS '],
  ['3043; 6100 16734 SUBSCRIPTION - regress_testsub regress_subscription_user', 'SUBSCRIPTION', '- regress_testsub regress_subscription_user'],
  ['3044; 6102 16735 SUBSCRIPTION TABLE - regress_testsub t ', 'SUBSCRIPTION TABLE', '- regress_testsub t '],
  ['3045; 1259 16736 TABLE public orders alice', 'TABLE', 'public orders alice'],
  ['3046; 0 0 TABLE ATTACH ATTACH fkpart3 postgres', 'TABLE ATTACH', 'ATTACH fkpart3 postgres'],
  ['4900; 0 16736 TABLE DATA public orders alice', 'TABLE DATA', 'public orders alice'],
  ['3047; 3602 16737 TEXT SEARCH CONFIGURATION public hunspell_tst postgres', 'TEXT SEARCH CONFIGURATION', 'public hunspell_tst postgres'],
  ['3048; 3600 16738 TEXT SEARCH DICTIONARY public ispell postgres', 'TEXT SEARCH DICTIONARY', 'public ispell postgres'],
  ['3049; 3601 16739 TEXT SEARCH PARSER public myparser postgres', 'TEXT SEARCH PARSER', 'public myparser postgres'],
  ['3050; 3764 16740 TEXT SEARCH TEMPLATE public mytmpl postgres', 'TEXT SEARCH TEMPLATE', 'public mytmpl postgres'],
  ['3051; 3576 16741 TRANSFORM - TRANSFORM FOR hstore LANGUAGE plperl ', 'TRANSFORM', '- TRANSFORM FOR hstore LANGUAGE plperl '],
  ['3052; 2620 16742 TRIGGER public t trig postgres', 'TRIGGER', 'public t trig postgres'],
  ['3053; 1247 16743 TYPE public int8range2 postgres', 'TYPE', 'public int8range2 postgres'],
  ['3054; 1418 16744 USER MAPPING - USER MAPPING public SERVER s1 ', 'USER MAPPING', '- USER MAPPING public SERVER s1 '],
  ['3055; 1259 16745 VIEW shop order_totals postgres', 'VIEW', 'shop order_totals postgres'],
];

test('every descriptor pg_dump writes parses to itself, multi-word ones included', () => {
  const { entries, unknown } = parseToc(LINES.map(([l]) => l).join('\n'));
  assert.deepEqual(unknown, []);
  assert.deepEqual(entries.map((e) => [e.line, e.desc, e.rest]), LINES);
  assert.deepEqual([...new Set(LINES.map(([, d]) => d))].sort(), [...TOC_DESCRIPTORS].sort(), 'a line for each known descriptor');
});

test('comments, blank lines and unknown descriptors', () => {
  const { entries, unknown } = parseToc([';', '; Archive created at 2026-11-23', '', '7; 1 2 FUTURE THING public x postgres', '8; 1259 16390 TABLE public t postgres'].join('\n'));
  assert.deepEqual(entries.map((e) => e.dumpId), [8]);
  assert.deepEqual(unknown, ['7; 1 2 FUTURE THING public x postgres']);
});

test('only TABLE entries create tables: not TABLE DATA, TABLE ATTACH, FOREIGN TABLE or a schema named ATTACH', () => {
  const list = [
    '215; 1259 16390 TABLE public orders alice',
    '216; 0 0 TABLE ATTACH fkpart3 fk_part_1 postgres', // partition fkpart3.fk_part_1 being attached
    '217; 1259 16392 TABLE DATA public orders alice',
    '218; 1259 16393 FOREIGN TABLE public remote postgres',
    '219; 1259 16394 TABLE fkpart3 "ATTACH" postgres',
  ].join('\n');
  assert.deepEqual(tocTableEntries(list).map((e) => e.dumpId), [215, 219]);
});

test('table entries are matched to restored tables, spaces and odd owners included', () => {
  const entries = tocTableEntries([
    '1; 1259 1 TABLE public orders alice',
    '2; 1259 2 TABLE my schema my table bob smith',
    '3; 1259 3 TABLE public no_owner ',
    '4; 1259 4 TABLE public line break postgres',
  ].join('\n'));
  const restored = [
    { schema: 'public', name: 'orders' },
    { schema: 'my schema', name: 'my table' },
    { schema: 'public', name: 'no_owner' },
    { schema: 'public', name: 'line\nbreak' },
  ];
  assert.equal(firstUnrestored(entries, restored), undefined);
  assert.equal(firstUnrestored(entries, restored.slice(1))?.dumpId, 1);
  assert.equal(firstUnrestored(entries, [...restored.slice(0, 1), { schema: 'my schema', name: 'my' }, ...restored.slice(2)])?.dumpId, undefined,
    'an owner with a space cannot be told from a longer name: the shorter name answers (documented limit)');
  assert.equal(firstUnrestored(entries, restored.filter((t) => t.name !== 'no_owner'))?.dumpId, 3);
});
