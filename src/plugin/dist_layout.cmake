# The non-binary part of the dist folder, run by the `dist` target:
#   cmake -DSOURCE_DIR=<repo> -DDIST_DIR=<dist> -DVERSION=<x.y.z> -P dist_layout.cmake
# plugin.json: the top-level plugin.json with %VERSION% and %TODAY% filled in
# (as the frontend's packaging does); a minimal valid one if the repository
# has none yet. module.js: left alone when the frontend build produced it,
# otherwise a placeholder that says how to build the frontend.
cmake_minimum_required(VERSION 3.25)

string(TIMESTAMP today "%Y-%m-%d" UTC) # honours SOURCE_DATE_EPOCH
set(source_json ${SOURCE_DIR}/plugin.json)
if(EXISTS ${source_json})
  file(READ ${source_json} plugin_json)
  string(REPLACE "%VERSION%" "${VERSION}" plugin_json "${plugin_json}")
  string(REPLACE "%TODAY%" "${today}" plugin_json "${plugin_json}")
else()
  set(plugin_json "{
  \"type\": \"datasource\",
  \"name\": \"Error Triage\",
  \"id\": \"errortriage-otel-datasource\",
  \"backend\": true,
  \"executable\": \"gpx_errortriage\",
  \"metrics\": true,
  \"alerting\": true,
  \"info\": {
    \"description\": \"What is breaking, where and since when, from OpenTelemetry span metrics and Tempo error spans\",
    \"author\": { \"name\": \"errortriage contributors\" },
    \"version\": \"${VERSION}\",
    \"updated\": \"${today}\"
  },
  \"dependencies\": { \"grafanaDependency\": \">=10.0.0\", \"plugins\": [] }
}
")
endif()
# Write only when the content changes, so the frontend's copy (same source) is
# not churned and timestamps stay meaningful.
set(target_json ${DIST_DIR}/plugin.json)
set(current "")
if(EXISTS ${target_json})
  file(READ ${target_json} current)
endif()
if(NOT current STREQUAL plugin_json)
  file(WRITE ${target_json} "${plugin_json}")
endif()

set(module_js ${DIST_DIR}/module.js)
if(NOT EXISTS ${module_js})
  file(WRITE ${module_js} "/* errortriage: placeholder written by the C build's dist target.
 * The frontend has not been built: run `npm ci && npm run build` in frontend/
 * to replace this file with the real query and configuration editors. */
define([], function () {
  throw new Error('errortriage: the frontend was not built (npm run build in frontend/)');
});
")
endif()
