.PHONY: start test fuzz bench bench-learners bench-scoring bench-onnx bench-tuning bench-automl bench-batch bench-profile bench-json bench-canvas bench-scale bench-scale-dask bench-dask soak worker beat lint
start:  ## set up everything and serve http://127.0.0.1:8000 (SQLite, no external services)
	scripts/start
test:   ## the whole suite on real PostgreSQL, Redis and Celery workers
	scripts/test
fuzz:   ## schemathesis over the REST API's OpenAPI schema, fresh random inputs, ~3 minutes: any 5xx fails
	scripts/services && scripts/bootstrap && TESSERA_FUZZ_EXAMPLES=20 TESSERA_FUZZ_RANDOM=1 \
	  .venv/bin/pytest tests/designer/test_fuzz.py -q -p no:cacheprovider
bench:  ## executor vs. plain pandas/scikit-learn, side by side
	scripts/bootstrap && .venv/bin/python bench/pipeline_vs_script.py
bench-learners:  ## every two-class/multiclass/regression learner's default fit on 30,000 rows x 100 one-hot features, 2 threads
	scripts/bootstrap && .venv/bin/python bench/learner_defaults.py
bench-scoring:  ## a Tessera endpoint vs. the same model behind `mlflow models serve`, side by side
	scripts/bootstrap && .venv/bin/pip install -q -e '.[bench]' && .venv/bin/python bench/scoring_vs_mlflow.py
bench-onnx:  ## single-row scoring: the exported ONNX model under onnxruntime vs. the same inference pipeline in-process
	.venv/bin/python bench/onnx_vs_inprocess.py
bench-tuning:  ## Tune Model Hyperparameters on 1 and 2 workers vs. GridSearchCV with n_jobs=1 and 2
	scripts/bootstrap && .venv/bin/python bench/tuning_vs_gridsearch.py
bench-automl:  ## AutoML Classification on 2 workers vs. flaml.AutoML.fit, same time budget and split: held-out AUC
	scripts/bootstrap && .venv/bin/pip install -q -e '.[bench]' && .venv/bin/python bench/automl_vs_flaml.py
bench-batch:  ## batch inference (Parallel Run) on 1 and 2 workers vs. a plain pandas loop of predict, rows/s
	scripts/bootstrap && .venv/bin/python bench/batch_vs_pandas.py
bench-profile:  ## profiling a 1,000,000-row table (the dataset page) vs. the same figures in plain pandas
	scripts/bootstrap && .venv/bin/python bench/profile_1m.py
bench-scale:  ## 5 M rows on one worker: CSV registration and train/score/evaluate vs. pandas + LightGBM, time and peak memory
	scripts/bootstrap && .venv/bin/python bench/scale_vs_script.py
bench-scale-dask:  ## Tessera's pipeline on a 2-worker Dask cluster vs. dask.dataframe + lightgbm.dask, and pandas under the same memory (ROWS=50000000)
	scripts/bootstrap && .venv/bin/python bench/scale_dask.py --rows $${ROWS:-50000000}
bench-dask:  ## one pipeline on 1 M rows: every node on a 2-worker local Dask cluster vs. pandas, time and AUC
	scripts/bootstrap && .venv/bin/python bench/dask_path.py
bench-json:  ## refusing four 5 MB hostile JSON bodies vs. json.loads of an ordinary 5 MB body
	scripts/bootstrap && .venv/bin/python bench/hostile_json.py
bench-canvas:  ## the designer canvas with 500 modules vs. a bare React Flow page: first paint, pan/drag frame times (headless Chromium)
	scripts/services && scripts/bootstrap && .venv/bin/python bench/canvas.py
soak:   ## load and faults: 200 scoring clients x 60 s, sockets through Redis and Daphne restarts, worker kills (~13 min)
	scripts/services && scripts/bootstrap && .venv/bin/python bench/soak.py
worker: ## a CPU worker for the configured DATABASE_URL / REDIS_URL
	.venv/bin/celery -A designer worker -Q cpu -c 2 -l INFO
beat:   ## Celery beat (database scheduler) for the configured DATABASE_URL / REDIS_URL: fires schedules
	.venv/bin/celery -A designer beat -l INFO
lint:
	.venv/bin/ruff check designer modules tests bench clients && .venv/bin/lint-imports
