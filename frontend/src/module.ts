// Entry point Grafana loads (dist/module.js, AMD): registers the datasource class and its editors.
import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { DataSource } from './datasource';
import { ErrorTriageOptions, ErrorTriageQuery, ErrorTriageSecureJsonData } from './types';

export const plugin = new DataSourcePlugin<DataSource, ErrorTriageQuery, ErrorTriageOptions, ErrorTriageSecureJsonData>(
  DataSource
)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
