# pgkeep: everyday make targets over ./scripts/*.ts. The recipes are silent, so what reaches stdout
# is exactly what the script printed there. make turns any failure into exit 2; the documented exit
# codes are the scripts' own: call ./scripts/NAME.ts directly where a caller branches on them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory
.SUFFIXES:

# Shell-quote a value for a recipe line.
q = '$(subst ','\'',$(1))'
# Selectors are passed on only when given on the command line, so an exported ENV never filters a run.
sel = $(if $(filter command line,$(origin $(1))),--$(2) $(call q,$($(1))))
# Other variables: NAME=value becomes --name value.
opt = $(if $(filter-out undefined default,$(origin $(1))),$(if $($(1)),--$(2) $(call q,$($(1)))))
# Switches: NAME=1 becomes --name; NAME=0 or NAME= passes nothing.
flag = $(if $(filter-out undefined default,$(origin $(1))),$(if $(filter-out 0 no false,$($(1))),--$(2)))

# Command-line variables a db-* target does not read are refused with a did-you-mean: a misspelt
# one (DATABASE=orders) would otherwise be ignored and the run would cover everything.
given_vars = $(strip $(foreach v,$(.VARIABLES),$(if $(filter command line,$(origin $(v))),$(v))))
check_vars = $(if $(filter-out $(1) ARGS,$(given_vars)),@node -e "$$CHECK_VARS_JS" '$@' '$(1) ARGS' '$(filter-out $(1) ARGS,$(given_vars))')
define CHECK_VARS_JS
const [target, allowed, unknown] = process.argv.slice(1).map((s, i) => (i ? s.split(' ').filter(Boolean) : s));
const lev = (a, b) => { const d = [...Array(b.length + 1).keys()]; for (const x of a) { let prev = d[0]++; for (let j = 1; j <= b.length; j++) { const t = d[j]; d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (x === b[j - 1] ? 0 : 1)); prev = t; } } return d[b.length]; };
const usual = { DATABASE: 'DB', DATABASES: 'DB', DBNAME: 'DB', ENVIRONMENT: 'ENV', PROJ: 'PROJECT', FILE: 'BACKUP', TIMESTAMP: 'BACKUP', TS: 'BACKUP', CONF: 'CONFIG', CFG: 'CONFIG', FORCE: 'YES', TARGET_DATABASE: 'TARGET_DB', DRYRUN: 'DRY_RUN' };
for (const v of unknown) {
  const best = allowed.includes(usual[v.toUpperCase()]) ? [0, usual[v.toUpperCase()]] : allowed.map((a) => [lev(v.toUpperCase(), a), a]).sort((x, y) => x[0] - y[0])[0];
  const hint = best && best[0] <= Math.max(2, v.length / 3) ? `; did you mean $${best[1]}=?` : '';
  console.error(`make $${target}: unknown variable $${v}=$${hint} ($${target} reads $${allowed.join('= ')}=)`);
}
process.exit(2);
endef
export CHECK_VARS_JS

SELECTORS = $(call sel,CONFIG,config) $(call sel,PROJECT,project) $(call sel,ENV,env) $(call sel,DB,db)
RUN = @./scripts

node_modules/.installed: package.json package-lock.json
	@npm ci --no-audit --no-fund --loglevel=error >&2
	@touch $@

.PHONY: help install typecheck test test-unit test-integration bed bed-fixtures demo demo-clean \
	db-backup db-restore db-list-backups db-verify db-scheduled-backup db-prune db-pre-deploy db-deployments db-cron db-offsite-sync

help: ## show the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

install: node_modules/.installed ## install the npm dependencies

typecheck: node_modules/.installed ## tsc --noEmit over lib, scripts, test and bench
	@npx --no-install tsc --noEmit

bed: ## start Docker, the Podman API and PostgreSQL images (installs what is missing; needs root the first time)
	@bash test/bed/setup.sh

bed-fixtures: bed ## also build PostgreSQL's regression database once (cached; about 10 minutes the first time)
	@bash test/bed/regression.sh

test: node_modules/.installed bed-fixtures ## the whole suite: unit, integration and fault tests on Docker and Podman
	@node --import tsx --test --test-concurrency=1 test/unit/*.test.ts test/integration/*.test.ts test/faults/*.test.ts

test-unit: node_modules/.installed ## unit tests only (no engine needed)
	@node --import tsx --test test/unit/*.test.ts

test-integration: node_modules/.installed bed-fixtures ## integration tests only
	@node --import tsx --test --test-concurrency=1 test/integration/*.test.ts

demo: node_modules/.installed bed ## start a demo PostgreSQL with sample data; back it up, list, verify and restore it
	$(RUN)/demo.ts

demo-clean: ## remove the demo container and its backups
	$(RUN)/demo.ts --clean

db-backup: node_modules/.installed ## back up every enabled database [CONFIG= PROJECT= ENV= DB= LABEL=]
	$(call check_vars,CONFIG PROJECT ENV DB LABEL)
	$(RUN)/backup.ts $(SELECTORS) $(call opt,LABEL,label) $(ARGS)

db-restore: node_modules/.installed ## restore BACKUP=latest|<ts>|pre-deploy|./file [DB= TARGET_DB= CONTAINER= YES=1 DROP_OLD=1 IN_PLACE=1 NO_OWNER=1 GLOBALS=1 NO_SAFETY_BACKUP=1 LABEL= FROM=offsite]
	$(call check_vars,CONFIG PROJECT ENV DB BACKUP LABEL TARGET_DB CONTAINER YES DROP_OLD IN_PLACE NO_OWNER GLOBALS NO_SAFETY_BACKUP FROM)
	$(RUN)/restore.ts $(SELECTORS) $(call opt,BACKUP,backup) $(call opt,LABEL,label) $(call opt,TARGET_DB,target-db) $(call opt,FROM,from) \
		$(call opt,CONTAINER,container) $(call flag,YES,yes) $(call flag,DROP_OLD,drop-old) $(call flag,IN_PLACE,in-place) \
		$(call flag,NO_OWNER,no-owner) $(call flag,GLOBALS,globals) $(call flag,NO_SAFETY_BACKUP,no-safety-backup) $(ARGS)

db-list-backups: node_modules/.installed ## list backups [CONFIG= PROJECT= ENV= DB= JSON=1 CHECK=1 OFFSITE=1]
	$(call check_vars,CONFIG PROJECT ENV DB JSON CHECK OFFSITE)
	$(RUN)/list-backups.ts $(SELECTORS) $(call flag,JSON,json) $(call flag,CHECK,check) $(call flag,OFFSITE,offsite) $(ARGS)

db-verify: node_modules/.installed ## prove backups restore [BACKUP=latest|<ts>|<path> ALL=1 TARGET=scratch DRY_RUN=1 FROM=offsite]
	$(call check_vars,CONFIG PROJECT ENV DB BACKUP ALL TARGET DRY_RUN FROM)
	$(RUN)/verify.ts $(SELECTORS) $(call opt,BACKUP,backup) $(call flag,ALL,all) $(call opt,TARGET,target) $(call flag,DRY_RUN,dry-run) $(call opt,FROM,from) $(ARGS)

db-scheduled-backup: node_modules/.installed ## the cron job: all enabled databases, prune, notify [CONFIG= DRY_RUN=1 CONCURRENCY=N]
	$(call check_vars,CONFIG DRY_RUN CONCURRENCY)
	$(RUN)/scheduled-backup.ts $(call sel,CONFIG,config) $(call flag,DRY_RUN,dry-run) $(call opt,CONCURRENCY,concurrency) $(ARGS)

db-prune: node_modules/.installed ## apply retention now [CONFIG= PROJECT= ENV= DB= DRY_RUN=1]
	$(call check_vars,CONFIG PROJECT ENV DB DRY_RUN)
	$(RUN)/prune.ts $(SELECTORS) $(call flag,DRY_RUN,dry-run) $(ARGS)

db-pre-deploy: node_modules/.installed ## safety backup before a deploy; prints the paths [PROJECT= ENV= LABEL=]
	$(call check_vars,CONFIG PROJECT ENV DB LABEL)
	$(RUN)/pre-deploy.ts $(SELECTORS) $(call opt,LABEL,label) $(ARGS)

db-deployments: node_modules/.installed ## show the deployment log [PROJECT= ENV= JSON=1]
	$(call check_vars,CONFIG PROJECT ENV DB JSON)
	$(RUN)/deployments.ts $(SELECTORS) $(call flag,JSON,json) $(ARGS)

db-offsite-sync: node_modules/.installed ## upload every local backup that has no offsite copy yet [CONFIG= PROJECT= ENV= DB=]
	$(call check_vars,CONFIG PROJECT ENV DB)
	$(RUN)/offsite-sync.ts $(SELECTORS) $(ARGS)

db-cron: node_modules/.installed ## print crontab lines (installs nothing) [CONFIG= LOG=]
	$(call check_vars,CONFIG LOG)
	$(RUN)/cron.ts $(call sel,CONFIG,config) $(call opt,LOG,log) $(ARGS)
