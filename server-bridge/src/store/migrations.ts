import type Database from 'better-sqlite3';

/**
 * Versioned schema changes, applied in order, each in its own transaction with
 * `user_version` bumped inside it: a crash mid-migration leaves the previous version.
 * Never edit a released entry; add a new one.
 */
export const migrations: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'events, environments, experiments',
    sql: `
      CREATE TABLE events (
        seq      INTEGER PRIMARY KEY AUTOINCREMENT,
        time     TEXT NOT NULL,
        resource TEXT NOT NULL,
        action   TEXT NOT NULL,
        id       TEXT NOT NULL,
        data     TEXT
      );
      CREATE TABLE environments (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL UNIQUE,
        description  TEXT NOT NULL DEFAULT '',
        manager      TEXT NOT NULL,
        python       TEXT NOT NULL,
        packages     TEXT NOT NULL DEFAULT '[]',
        requirements TEXT NOT NULL DEFAULT '',
        path         TEXT NOT NULL,
        kernel_name  TEXT NOT NULL,
        state        TEXT NOT NULL,
        state_reason TEXT,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
      );
      CREATE INDEX environments_created ON environments (created_at);
      CREATE TABLE experiments (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );
      CREATE INDEX experiments_created ON experiments (created_at);
    `,
  },
  {
    version: 2,
    name: 'trainings, metric points, tensorboards, models',
    sql: `
      CREATE TABLE trainings (
        id                   TEXT PRIMARY KEY,
        name                 TEXT NOT NULL UNIQUE,
        description          TEXT NOT NULL DEFAULT '',
        experiment_id        TEXT NOT NULL REFERENCES experiments (id),
        source               TEXT NOT NULL,
        hyperparameters      TEXT NOT NULL DEFAULT '{}',
        datasets             TEXT NOT NULL DEFAULT '{}',
        -- no foreign key: a settled training keeps the name of an environment deleted since
        environment_id       TEXT,
        environment_name     TEXT,
        python               TEXT NOT NULL,
        instance_count       INTEGER NOT NULL,
        max_duration_seconds INTEGER,
        tags                 TEXT NOT NULL DEFAULT '{}',
        state                TEXT NOT NULL,
        state_reason         TEXT,
        exit_code            INTEGER,
        supervisor_pid       INTEGER,
        copied_from          TEXT,
        dir                  TEXT NOT NULL,
        created_at           TEXT NOT NULL,
        updated_at           TEXT NOT NULL,
        started_at           TEXT,
        ended_at             TEXT
      );
      CREATE INDEX trainings_created ON trainings (created_at);
      CREATE INDEX trainings_experiment ON trainings (experiment_id, created_at);
      CREATE INDEX trainings_state ON trainings (state);
      CREATE INDEX trainings_environment ON trainings (environment_id);

      -- An index of the event files under each training's tensorboard/ folder (the files
      -- stay the truth): points, and how far each file has been read.
      CREATE TABLE metric_points (
        training_id TEXT NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
        file_id     INTEGER NOT NULL,
        tag         TEXT NOT NULL,
        step        INTEGER NOT NULL,
        value       REAL,
        wall_time   REAL NOT NULL
      );
      CREATE INDEX metric_points_series ON metric_points (training_id, tag, step);
      CREATE TABLE metric_files (
        id          INTEGER PRIMARY KEY,
        training_id TEXT NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
        path        TEXT NOT NULL,
        offset      INTEGER NOT NULL,
        UNIQUE (training_id, path)
      );

      CREATE TABLE tensorboards (
        id             TEXT PRIMARY KEY,
        experiment_id  TEXT,
        trainings      TEXT NOT NULL,
        state          TEXT NOT NULL,
        state_reason   TEXT,
        python         TEXT NOT NULL,
        port           INTEGER,
        pid            INTEGER,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        last_access_at TEXT NOT NULL
      );
      CREATE INDEX tensorboards_created ON tensorboards (created_at);

      -- a model is a name with numbered versions; one row per version
      CREATE TABLE models (
        id                TEXT PRIMARY KEY,
        name              TEXT NOT NULL,
        version           INTEGER NOT NULL,
        description       TEXT NOT NULL DEFAULT '',
        framework         TEXT NOT NULL,
        framework_version TEXT,
        artifact_path     TEXT NOT NULL,
        files             INTEGER NOT NULL,
        bytes             INTEGER NOT NULL,
        tags              TEXT NOT NULL DEFAULT '{}',
        training_id       TEXT REFERENCES trainings (id),
        source_path       TEXT,
        hyperparameters   TEXT NOT NULL DEFAULT '{}',
        metrics           TEXT NOT NULL DEFAULT '{}',
        created_at        TEXT NOT NULL,
        updated_at        TEXT NOT NULL,
        UNIQUE (name, version)
      );
      CREATE INDEX models_created ON models (created_at);
      CREATE INDEX models_training ON models (training_id);
      CREATE TABLE model_aliases (
        name     TEXT NOT NULL,
        alias    TEXT NOT NULL,
        model_id TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
        PRIMARY KEY (name, alias)
      );
    `,
  },
  {
    version: 3,
    name: 'endpoints, stages, their stats and inference logs',
    sql: `
      CREATE TABLE endpoints (
        id               TEXT PRIMARY KEY,
        name             TEXT NOT NULL UNIQUE,
        description      TEXT NOT NULL DEFAULT '',
        state            TEXT NOT NULL,
        state_reason     TEXT,
        default_stage_id TEXT,
        api_key_hash     TEXT,
        tags             TEXT NOT NULL DEFAULT '{}',
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL
      );
      CREATE INDEX endpoints_created ON endpoints (created_at);
      CREATE TABLE endpoint_stages (
        id             TEXT PRIMARY KEY,
        endpoint_id    TEXT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
        name           TEXT NOT NULL,
        description    TEXT NOT NULL DEFAULT '',
        -- no ON DELETE: a served model version can't be deleted
        model_id       TEXT NOT NULL REFERENCES models (id),
        instance_count INTEGER NOT NULL,
        resource_path  TEXT NOT NULL,
        python         TEXT NOT NULL,
        state          TEXT NOT NULL,
        state_reason   TEXT,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        UNIQUE (endpoint_id, name)
      );
      CREATE INDEX endpoint_stages_model ON endpoint_stages (model_id);
      -- one row per stage per finished minute; kept after the stage goes (a switched-out default's history)
      CREATE TABLE endpoint_stats (
        endpoint_id   TEXT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
        stage_id      TEXT NOT NULL,
        stage         TEXT NOT NULL,
        minute        TEXT NOT NULL,
        count         INTEGER NOT NULL,
        errors        INTEGER NOT NULL,
        server_errors INTEGER NOT NULL,
        p50           REAL,
        p90           REAL,
        p99           REAL,
        max_in_flight INTEGER NOT NULL,
        PRIMARY KEY (stage_id, minute)
      );
      CREATE INDEX endpoint_stats_minute ON endpoint_stats (endpoint_id, minute);
      CREATE TABLE inference_logs (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        endpoint_id  TEXT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
        stage_id     TEXT NOT NULL,
        stage        TEXT NOT NULL,
        inference_id TEXT NOT NULL,
        action       TEXT NOT NULL,
        model_name   TEXT NOT NULL,
        log_level    TEXT NOT NULL,
        body         TEXT NOT NULL,
        status       INTEGER,
        latency_ms   REAL,
        time         TEXT NOT NULL
      );
      CREATE INDEX inference_logs_endpoint ON inference_logs (endpoint_id, seq);
      CREATE INDEX inference_logs_inference ON inference_logs (inference_id);
    `,
  },
  {
    version: 4,
    name: 'evaluations',
    sql: `
      -- a model version judged on a dataset; no foreign key on the model: an evaluation keeps the name and
      -- version of a model version deleted since, as a training keeps its environment's name
      CREATE TABLE evaluations (
        id               TEXT PRIMARY KEY,
        model_id         TEXT NOT NULL,
        model_name       TEXT NOT NULL,
        model_version    INTEGER NOT NULL,
        data_path        TEXT NOT NULL,
        data_format      TEXT NOT NULL,
        data_label       TEXT,
        data_features    TEXT,
        data_sha256      TEXT,
        task             TEXT,
        threshold        REAL NOT NULL,
        max_errors       INTEGER NOT NULL,
        batch_rows       INTEGER NOT NULL,
        environment_id   TEXT,
        environment_name TEXT,
        python           TEXT NOT NULL,
        state            TEXT NOT NULL,
        state_reason     TEXT,
        rows_done        INTEGER NOT NULL DEFAULT 0,
        runner_pid       INTEGER,
        metrics          TEXT NOT NULL DEFAULT '{}',
        dir              TEXT NOT NULL,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL,
        started_at       TEXT,
        ended_at         TEXT
      );
      CREATE INDEX evaluations_created ON evaluations (created_at);
      CREATE INDEX evaluations_model ON evaluations (model_id, created_at);
      CREATE INDEX evaluations_iterations ON evaluations (model_name, data_sha256, state);
      CREATE INDEX evaluations_state ON evaluations (state);
    `,
  },
  {
    version: 5,
    name: "trainings' early stopping and quality",
    sql: `
      ALTER TABLE trainings ADD COLUMN early_stopping TEXT;
      ALTER TABLE trainings ADD COLUMN quality TEXT;
      -- the NaN and infinite points only (9e999 is SQLite's infinity): found at each read without a scan
      CREATE INDEX metric_points_non_finite ON metric_points (training_id, tag, step)
        WHERE value IS NULL OR value IN (9e999, -9e999);
    `,
  },
  {
    version: 6,
    name: 'clusters',
    sql: `
      -- a Ray cluster trainings and stages may run on; its token is a private file under
      -- <home>/clusters/<id>/, never a column
      CREATE TABLE clusters (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL UNIQUE,
        kind         TEXT NOT NULL,
        address      TEXT NOT NULL,
        has_token    INTEGER NOT NULL DEFAULT 0,
        is_default   INTEGER NOT NULL DEFAULT 0,
        -- a local one's shape (JSON), and what the bridge started for it (JSON: temp dir, pids)
        local        TEXT,
        processes    TEXT,
        state        TEXT NOT NULL,
        state_reason TEXT,
        ray_version  TEXT,
        nodes        TEXT NOT NULL DEFAULT '[]',
        checked_at   TEXT,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
      );
      -- at most one default: the others are this machine's
      CREATE UNIQUE INDEX clusters_one_default ON clusters (is_default) WHERE is_default = 1;
    `,
  },
  {
    version: 7,
    name: 'trainings on a cluster',
    sql: `
      -- the cluster's id (its name may change or go; the name is kept beside it, as environments are)
      ALTER TABLE trainings ADD COLUMN cluster_id TEXT;
      ALTER TABLE trainings ADD COLUMN cluster_name TEXT;
      ALTER TABLE trainings ADD COLUMN placement_strategy TEXT;
      -- where each rank runs (JSON), as the training's driver reports it
      ALTER TABLE trainings ADD COLUMN placement TEXT NOT NULL DEFAULT '[]';
    `,
  },
  {
    version: 8,
    name: 'stages on a cluster',
    sql: `
      -- where the gateway reaches Ray Serve's HTTP proxy: http://HOST:PORT
      ALTER TABLE clusters ADD COLUMN serve_address TEXT;
      -- a stage on a Ray cluster runs as a Ray Serve application there; NULL: on this machine
      ALTER TABLE endpoint_stages ADD COLUMN cluster_id TEXT REFERENCES clusters (id);
      -- Ray Serve's autoscaling bounds (JSON: minReplicas, maxReplicas), or NULL
      ALTER TABLE endpoint_stages ADD COLUMN autoscaling TEXT;
    `,
  },
  {
    version: 9,
    name: 'datasets and their versions',
    sql: `
      CREATE TABLE datasets (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        -- copy: the content lives under <home>/datasets; reference: read in place at source
        mode        TEXT NOT NULL,
        -- the path it was made from; NULL when uploaded
        source      TEXT,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );
      CREATE INDEX datasets_created ON datasets (created_at);
      CREATE TABLE dataset_versions (
        dataset_id  TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
        version     INTEGER NOT NULL,
        sha256      TEXT NOT NULL,
        -- of the files' paths, sizes and times: what a reference is checked against before a full hash
        fingerprint TEXT NOT NULL,
        bytes       INTEGER NOT NULL,
        files       INTEGER NOT NULL,
        path        TEXT NOT NULL,
        schema      TEXT NOT NULL,
        -- <home>/datasets/<name>/<version>: version.json, and data/ in copy mode
        dir         TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        PRIMARY KEY (dataset_id, version)
      );
      -- the dataset an evaluation was asked for (name:version), beside the path it read
      ALTER TABLE evaluations ADD COLUMN data_dataset TEXT;
    `,
  },
  {
    version: 10,
    name: 'cluster trainings retried after a lost node',
    sql: `
      -- how many times a cluster training starts again when a node of it is lost, and which start it is on
      ALTER TABLE trainings ADD COLUMN max_retries INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE trainings ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
    `,
  },
  {
    version: 11,
    name: 'recipes',
    sql: `
      -- user recipes: a COMPLETE training saved to run again on other data (the built-ins live in code)
      CREATE TABLE recipes (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        -- JSON: RecipeDataset[] and RecipeParameter[]
        datasets TEXT NOT NULL,
        parameters TEXT NOT NULL,
        entry_point TEXT NOT NULL,
        environment_id TEXT,
        environment_name TEXT,
        -- the training it was saved from, by id and by name (the training may be deleted later)
        source_training_id TEXT NOT NULL,
        source_training_name TEXT NOT NULL,
        dir TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      -- the recipe a training was trained from (its name), and for a built-in the model it registers when it ends
      ALTER TABLE trainings ADD COLUMN recipe TEXT;
      -- the name a built-in registers a version of when it ends COMPLETE; NULL: none
      ALTER TABLE trainings ADD COLUMN register_model TEXT;
      -- what it registered: the model version (id, name, number) and its holdout evaluation
      ALTER TABLE trainings ADD COLUMN model_id TEXT;
      ALTER TABLE trainings ADD COLUMN model_name TEXT;
      ALTER TABLE trainings ADD COLUMN model_version INTEGER;
      ALTER TABLE trainings ADD COLUMN evaluation_id TEXT;
    `,
  },
  {
    version: 12,
    name: 'model activation',
    sql: `
      -- 0: deactivated (not deployed, quick-tested or evaluated until reactivated)
      ALTER TABLE models ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
    `,
  },
  {
    version: 13,
    name: 'batch inferences',
    sql: `
      -- batch scoring jobs (issue 17): a model version scores a table or a folder of files into an output folder
      CREATE TABLE batch_inferences (
        id              TEXT PRIMARY KEY,
        name            TEXT NOT NULL,
        description     TEXT NOT NULL DEFAULT '',
        model_id        TEXT NOT NULL,
        model_name      TEXT NOT NULL,
        model_version   INTEGER NOT NULL,
        input           TEXT NOT NULL,
        -- the dataset asked for, pinned (name:version); NULL: a path
        input_dataset   TEXT,
        input_kind      TEXT NOT NULL,
        output          TEXT NOT NULL,
        output_file     TEXT NOT NULL,
        errors_file     TEXT NOT NULL,
        -- the dataset name asked for, and the name:version registered once COMPLETE
        output_dataset_name TEXT,
        output_dataset  TEXT,
        format          TEXT NOT NULL,
        features        TEXT,
        instances       INTEGER NOT NULL,
        batch_size      INTEGER NOT NULL,
        max_error_ratio REAL NOT NULL,
        return_scores   INTEGER NOT NULL,
        environment_id  TEXT,
        cluster_id      TEXT,
        python          TEXT NOT NULL,
        -- JSON: {done, total, errors, rate, etaSeconds}
        progress        TEXT NOT NULL,
        schedule_id     TEXT,
        state           TEXT NOT NULL,
        state_reason    TEXT,
        runner_pid      INTEGER,
        -- how many runners a restarted bridge started to resume it
        resumes         INTEGER NOT NULL DEFAULT 0,
        dir             TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        started_at      TEXT,
        finished_at     TEXT
      );
      CREATE INDEX batch_inferences_created ON batch_inferences (created_at);
      CREATE INDEX batch_inferences_model ON batch_inferences (model_id, created_at);
      CREATE INDEX batch_inferences_state ON batch_inferences (state);
    `,
  },
  {
    version: 14,
    name: 'schedules',
    sql: `
      -- a chain of steps run on a cron expression (in a zone) or an interval; next_due_at is what the clock waits for
      CREATE TABLE schedules (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL,
        state_reason TEXT,
        cron TEXT,
        timezone TEXT,
        every TEXT,
        -- JSON: ScheduleStep[]
        steps TEXT NOT NULL,
        overlap TEXT NOT NULL,
        catch_up INTEGER NOT NULL,
        -- an interval's due times are anchor + k·interval (set at create, resume and change)
        anchor_at TEXT NOT NULL,
        -- NULL while PAUSED
        next_due_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      -- the history: one row per firing; the resources a run made are linked here, in its steps
      CREATE TABLE schedule_runs (
        id TEXT PRIMARY KEY,
        schedule_id TEXT NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        trigger TEXT NOT NULL,
        state TEXT NOT NULL,
        reason TEXT,
        due_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        -- JSON: ScheduleRunStep[], and what the steps hand on (the model version made, the evaluation)
        steps TEXT NOT NULL,
        chain TEXT NOT NULL DEFAULT '{}',
        UNIQUE (schedule_id, number)
      );
      CREATE INDEX schedule_runs_state ON schedule_runs (state);
    `,
  },
  {
    version: 15,
    name: 'stage monitoring settings',
    sql: `
      -- what watches a stage, changed without a redeploy: a worker's memory limit (MB, NULL: none),
      -- payload logging (JSON: PayloadLogging, NULL: off) and the drift watch (JSON: DriftSettings, NULL: off)
      ALTER TABLE endpoint_stages ADD COLUMN memory_limit_mb INTEGER;
      ALTER TABLE endpoint_stages ADD COLUMN payload_logging TEXT;
      ALTER TABLE endpoint_stages ADD COLUMN drift TEXT;
    `,
  },
  {
    version: 16,
    name: 'payload log',
    sql: `
      -- a stage's logged requests (payload logging on): its instances and predictions as JSON text, redacted;
      -- truncated: the request or answer was over maxBytes, instances then hold the cut JSON text as a string
      CREATE TABLE inference_payloads (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        inference_id TEXT NOT NULL,
        endpoint_id  TEXT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
        stage_id     TEXT NOT NULL,
        time         TEXT NOT NULL,
        status       INTEGER NOT NULL,
        instances    TEXT,
        predictions  TEXT,
        truncated    INTEGER NOT NULL
      );
      CREATE INDEX inference_payloads_stage_time ON inference_payloads (stage_id, time);
      CREATE INDEX inference_payloads_inference ON inference_payloads (inference_id);
      -- the true labels sent back, each joined to its logged prediction (copied: kept when the payload is pruned);
      -- time: when the prediction was made, what quality windows go by
      CREATE TABLE inference_feedback (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        endpoint_id  TEXT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
        stage_id     TEXT NOT NULL,
        inference_id TEXT NOT NULL,
        idx          INTEGER NOT NULL,
        label        TEXT NOT NULL,
        prediction   TEXT NOT NULL,
        time         TEXT NOT NULL,
        received_at  TEXT NOT NULL,
        UNIQUE (inference_id, idx)
      );
      CREATE INDEX inference_feedback_stage_time ON inference_feedback (stage_id, time);
      -- labels refused for an unknown inferenceId, counted per endpoint
      CREATE TABLE feedback_unmatched (
        endpoint_id TEXT PRIMARY KEY REFERENCES endpoints (id) ON DELETE CASCADE,
        count       INTEGER NOT NULL
      );
    `,
  },
  {
    version: 17,
    name: 'drift windows',
    sql: `
      -- a stage's judged drift windows (closed ones; the current one is computed on demand, not stored);
      -- features and prediction: JSON FeatureDrift[] (worst first) and FeatureDrift or NULL
      CREATE TABLE drift_windows (
        stage_id    TEXT NOT NULL,
        endpoint_id TEXT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
        start       TEXT NOT NULL,
        end         TEXT NOT NULL,
        count       INTEGER NOT NULL,
        judged      INTEGER NOT NULL,
        features    TEXT NOT NULL,
        prediction  TEXT,
        computed_at TEXT NOT NULL,
        PRIMARY KEY (stage_id, start)
      );
    `,
  },
  {
    version: 18,
    name: 'resource usage',
    sql: `
      -- issue 18: the processes of trainings, endpoints and batch jobs, sampled every few seconds;
      -- span 0 is a sample as taken, kept for the last hour; older ones are merged into buckets of
      -- span seconds (60, then 900) starting at time: the mean CPU, the peak memory
      CREATE TABLE usage_samples (
        id            INTEGER PRIMARY KEY,
        resource      TEXT NOT NULL,
        owner_id      TEXT NOT NULL,
        process       TEXT NOT NULL,
        kind          TEXT NOT NULL,
        stage         TEXT,
        pid           INTEGER NOT NULL,
        time          TEXT NOT NULL,
        span          INTEGER NOT NULL,
        cpu_percent   REAL NOT NULL,
        memory_mb     REAL NOT NULL,
        threads       INTEGER NOT NULL,
        open_files    INTEGER NOT NULL,
        gpu_percent   REAL,
        gpu_memory_mb REAL
      );
      CREATE INDEX usage_samples_owner ON usage_samples (resource, owner_id, time);
      CREATE INDEX usage_samples_span ON usage_samples (span, time);
      -- per resource (scope '') and per stage (scope: its name): every round's sums, kept whole
      -- whatever the downsampling: the comparison's peak memory and mean CPU
      CREATE TABLE usage_summaries (
        resource       TEXT NOT NULL,
        owner_id       TEXT NOT NULL,
        scope          TEXT NOT NULL,
        rounds         INTEGER NOT NULL,
        cpu_total      REAL NOT NULL,
        peak_memory_mb REAL NOT NULL,
        updated_at     TEXT NOT NULL,
        PRIMARY KEY (resource, owner_id, scope)
      );
    `,
  },
  {
    version: 19,
    name: 'alert rules and their events',
    sql: `
      -- a condition on a series, held for a duration; state is what the evaluator last decided (OK or FIRING)
      CREATE TABLE alert_rules (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        series TEXT NOT NULL,
        -- 'endpoints' or 'trainings'; NULL: every running training (training.* only)
        resource_kind TEXT,
        resource_id TEXT,
        resource_name TEXT,
        stage TEXT,
        feature TEXT,
        metric TEXT,
        op TEXT NOT NULL,
        threshold REAL NOT NULL,
        for_seconds INTEGER NOT NULL,
        severity TEXT NOT NULL,
        -- the full URL (credentials included): only the sender reads it, the API shows it hidden
        webhook TEXT,
        enabled INTEGER NOT NULL,
        state TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      -- the history: one row per firing or resolving, with how its webhook went
      CREATE TABLE alert_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        rule_id TEXT NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
        rule TEXT NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        series TEXT NOT NULL,
        -- JSON: {kind, id, name} or NULL
        resource TEXT,
        value REAL,
        threshold REAL NOT NULL,
        message TEXT NOT NULL,
        -- JSON: {state, attempts, error} or NULL (no webhook)
        webhook TEXT,
        time TEXT NOT NULL
      );
      CREATE INDEX alert_events_rule ON alert_events (rule_id, seq);
    `,
  },
  {
    version: 20,
    name: 'tunings and their trials',
    sql: `
      -- a search over hyperparameters (issue 19); its study is a journal file in dir, its trials trainings
      CREATE TABLE tunings (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        experiment_id TEXT NOT NULL REFERENCES experiments (id),
        -- JSON: the TrainingSource of the snapshot in dir/source
        source TEXT NOT NULL,
        -- JSON: key → ParameterSpec; key → value (strings); {metric, mode, aggregate, step}
        space TEXT NOT NULL,
        fixed TEXT NOT NULL,
        objective TEXT NOT NULL,
        algorithm TEXT NOT NULL,
        pruner TEXT NOT NULL,
        max_trials INTEGER NOT NULL,
        max_duration_seconds INTEGER,
        parallel INTEGER NOT NULL,
        seed INTEGER,
        datasets TEXT NOT NULL,
        environment_id TEXT,
        environment_name TEXT,
        tags TEXT NOT NULL,
        trial_max_duration_seconds INTEGER,
        early_stopping TEXT,
        cluster_id TEXT,
        cluster_name TEXT,
        state TEXT NOT NULL,
        state_reason TEXT,
        -- JSON: the best COMPLETE trial {number, trainingId, trainingName, value, params}; key → importance
        best TEXT,
        importance TEXT,
        copied_from TEXT,
        dir TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        started_at TEXT,
        ended_at TEXT
      );
      -- one row per trial the study was asked for, written before its training is made (so a restart finds it)
      CREATE TABLE tuning_trials (
        tuning_id TEXT NOT NULL REFERENCES tunings (id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        training_id TEXT,
        training_name TEXT,
        state TEXT NOT NULL,
        state_reason TEXT,
        params TEXT NOT NULL,
        value REAL,
        last_step INTEGER,
        last_value REAL,
        pruned_at_step INTEGER,
        started_at TEXT,
        ended_at TEXT,
        PRIMARY KEY (tuning_id, number)
      );
      CREATE INDEX tuning_trials_training ON tuning_trials (training_id);
    `,
  },
  {
    version: 21,
    name: 'payload log in its own file',
    sql: `
      -- moved to the payload log's file (payloadLogMigrations), attached as \`payloads\`; OR IGNORE:
      -- a crash between the two files' commits runs this again over rows already copied
      INSERT OR IGNORE INTO payloads.inference_payloads
        (seq, inference_id, endpoint_id, stage_id, time, status, instances, predictions, truncated)
        SELECT seq, inference_id, endpoint_id, stage_id, time, status, instances, predictions, truncated
        FROM main.inference_payloads;
      -- its seqs go on from where they were, even past rows already pruned
      -- (sqlite_sequence has no unique name: a row is updated, or added when there is none)
      UPDATE payloads.sqlite_sequence
        SET seq = max(seq, coalesce((SELECT seq FROM main.sqlite_sequence WHERE name = 'inference_payloads'), 0))
        WHERE name = 'inference_payloads';
      INSERT INTO payloads.sqlite_sequence (name, seq)
        SELECT name, seq FROM main.sqlite_sequence WHERE name = 'inference_payloads'
        AND NOT EXISTS (SELECT 1 FROM payloads.sqlite_sequence WHERE name = 'inference_payloads');
      DROP TABLE main.inference_payloads;
    `,
  },
];

/**
 * The payload log's file's own schema (attached as \`payloads\`, see openDatabase), versioned apart
 * from the store's. No foreign key can reach across files: an endpoint's rows are deleted with it
 * (PayloadsRepository.deleteEndpoint), and those the payload log's thread wrote after, pruned.
 */
export const payloadLogMigrations: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'payload log',
    sql: `
      -- a stage's logged requests (payload logging on): its instances and predictions as JSON text, redacted;
      -- truncated: the request or answer was over maxBytes, instances then hold the cut JSON text as a string
      CREATE TABLE payloads.inference_payloads (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        inference_id TEXT NOT NULL,
        endpoint_id  TEXT NOT NULL,
        stage_id     TEXT NOT NULL,
        time         TEXT NOT NULL,
        status       INTEGER NOT NULL,
        instances    TEXT,
        predictions  TEXT,
        truncated    INTEGER NOT NULL
      );
      CREATE INDEX payloads.inference_payloads_stage_time ON inference_payloads (stage_id, time);
      CREATE INDEX payloads.inference_payloads_inference ON inference_payloads (inference_id);
      -- an endpoint's newest first (the payloads route): without it, that of an endpoint with few rows
      -- walked the whole table, every endpoint's, down from the newest
      CREATE INDEX payloads.inference_payloads_endpoint ON inference_payloads (endpoint_id, seq);
    `,
  },
];

export function migrate(db: Database.Database, list = migrations, schema = 'main'): number {
  const current = db.pragma(`${schema}.user_version`, { simple: true }) as number;
  for (const migration of list) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`${schema}.user_version = ${migration.version}`);
    })();
  }
  return db.pragma(`${schema}.user_version`, { simple: true }) as number;
}

/** The payload log's file, attached as `payloads`: before the store's, whose version 21 moves rows into it. */
export function migratePayloadLog(db: Database.Database): number {
  return migrate(db, payloadLogMigrations, 'payloads');
}
