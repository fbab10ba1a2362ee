/* SPDX-License-Identifier: Apache-2.0
 *
 * Frame meta (FrameMeta) and field config (FieldConfig) setters and getters.
 *
 * Only what Grafana's Go structs know is representable (notes/frames.md §6):
 * anything else would be dropped silently by Grafana's strict re-parse. The
 * JSON text is written by frame_meta_json.c in Go's field order. Values Go
 * could not marshal (a NaN interval, a non-object config.custom) are recorded
 * as misuse and refused by frame_validate().
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "frame/frame.h"
#include "frame/frame_int.h"

static void replace_string(char **slot, const char *value)
{
    free(*slot);
    *slot = value && *value ? et_xstrdup(value) : NULL;
}

/* ---- meta ------------------------------------------------------------------- */

void frame_meta_cleanup(struct frame_meta *meta)
{
    free(meta->type);
    free(meta->preferred_vis);
    free(meta->executed_query);
    for (size_t i = 0; i < meta->notice_count; i++)
        free(meta->notices[i].text);
    free(meta->notices);
    json_decref(meta->custom);
    free(meta->unique_row_id_fields);
    free(meta->raw);
    memset(meta, 0, sizeof *meta);
}

void frame_meta_set_type(struct frame *frame, const char *type, unsigned major, unsigned minor)
{
    if (!frame)
        return;
    frame->meta.present = true;
    replace_string(&frame->meta.type, type);
    frame->meta.type_version[0] = major;
    frame->meta.type_version[1] = minor;
}

void frame_meta_set_preferred_visualisation(struct frame *frame, const char *vis)
{
    if (!frame)
        return;
    frame->meta.present = true;
    replace_string(&frame->meta.preferred_vis, vis);
}

void frame_meta_set_executed_query(struct frame *frame, const char *text)
{
    if (!frame)
        return;
    frame->meta.present = true;
    replace_string(&frame->meta.executed_query, text);
}

void frame_meta_append_executed_query(struct frame *frame, const char *text)
{
    if (!frame || !text || !*text)
        return;
    char *old = frame->meta.executed_query;
    if (!old) {
        frame_meta_set_executed_query(frame, text);
        return;
    }
    size_t a = strlen(old), b = strlen(text);
    char *joined = et_xmalloc(a + 1 + b + 1);
    memcpy(joined, old, a + 1); /* the NUL is overwritten just below */
    joined[a] = '\n';
    memcpy(joined + a + 1, text, b + 1);
    free(old);
    frame->meta.executed_query = joined;
}

void frame_meta_add_notice(struct frame *frame, enum frame_notice_severity severity,
                           const char *text)
{
    if (!frame)
        return;
    if ((unsigned)severity > FRAME_NOTICE_ERROR) {
        frame_record_misuse(frame, 500, "frame \"%s\": notice with an unknown severity %d",
                            frame->name, (int)severity);
        return;
    }
    struct frame_meta *m = &frame->meta;
    m->present = true;
    m->notices = et_xgrow(m->notices, &m->notice_cap, m->notice_count + 1, sizeof *m->notices);
    m->notices[m->notice_count].severity = severity;
    m->notices[m->notice_count].text = et_xstrdup(text ? text : "");
    m->notice_count++;
}

void frame_meta_set_custom(struct frame *frame, json_t *custom)
{
    if (!frame) {
        json_decref(custom);
        return;
    }
    frame->meta.present = true;
    json_decref(frame->meta.custom);
    /* Go's `custom,omitempty` on an interface drops only nil: JSON null is unset. */
    if (json_is_null(custom)) { /* false for NULL */
        json_decref(custom);
        custom = NULL;
    }
    frame->meta.custom = custom;
}

void frame_meta_set_unique_row_id_fields(struct frame *frame, const int *indices, size_t n)
{
    if (!frame)
        return;
    struct frame_meta *m = &frame->meta;
    m->present = true;
    free(m->unique_row_id_fields);
    m->unique_row_id_fields = NULL;
    m->unique_row_id_count = 0;
    if (!indices || n == 0)
        return;
    m->unique_row_id_fields = et_xmalloc(n * sizeof *indices);
    memcpy(m->unique_row_id_fields, indices, n * sizeof *indices);
    m->unique_row_id_count = n;
}

void frame_meta_set_raw(struct frame *frame, const char *json)
{
    if (!frame)
        return;
    free(frame->meta.raw);
    frame->meta.raw = json ? et_xstrdup(json) : NULL;
}

bool frame_has_meta(const struct frame *frame)
{
    return frame && (frame->meta.present || frame->meta.raw);
}

const char *frame_meta_type(const struct frame *frame)
{
    return frame ? frame->meta.type : NULL;
}

const char *frame_meta_executed_query(const struct frame *frame)
{
    return frame ? frame->meta.executed_query : NULL;
}

size_t frame_meta_notice_count(const struct frame *frame)
{
    return frame ? frame->meta.notice_count : 0;
}

const char *frame_meta_notice_text(const struct frame *frame, size_t i)
{
    return frame && i < frame->meta.notice_count ? frame->meta.notices[i].text : NULL;
}

enum frame_notice_severity frame_meta_notice_severity(const struct frame *frame, size_t i)
{
    return frame && i < frame->meta.notice_count ? frame->meta.notices[i].severity
                                                 : FRAME_NOTICE_INFO;
}

/* ---- field config ------------------------------------------------------------- */

static void link_cleanup(struct frame_link *link)
{
    free(link->title);
    free(link->url);
    free(link->datasource_uid);
    free(link->datasource_name);
    json_decref(link->query);
}

void frame_field_config_cleanup(struct frame_field_config *config)
{
    free(config->display_name);
    free(config->display_name_from_ds);
    free(config->description);
    free(config->unit);
    free(config->no_value);
    for (size_t i = 0; i < config->link_count; i++)
        link_cleanup(&config->links[i]);
    free(config->links);
    for (size_t i = 0; i < config->enum_count; i++)
        free(config->enum_text[i]);
    free(config->enum_text);
    json_decref(config->custom);
    free(config->raw);
    memset(config, 0, sizeof *config);
}

/* Config of a field being changed (marks it present), or NULL for a NULL field. */
static struct frame_field_config *config_of(struct frame_field *field)
{
    if (!field)
        return NULL;
    field->config.present = true;
    return &field->config;
}

void frame_field_set_empty_config(struct frame_field *field)
{
    config_of(field);
}

void frame_field_set_display_name(struct frame_field *field, const char *name)
{
    struct frame_field_config *c = config_of(field);
    if (c)
        replace_string(&c->display_name, name);
}

void frame_field_set_display_name_from_ds(struct frame_field *field, const char *name)
{
    struct frame_field_config *c = config_of(field);
    if (c)
        replace_string(&c->display_name_from_ds, name);
}

void frame_field_set_description(struct frame_field *field, const char *text)
{
    struct frame_field_config *c = config_of(field);
    if (c)
        replace_string(&c->description, text);
}

void frame_field_set_filterable(struct frame_field *field, bool filterable)
{
    struct frame_field_config *c = config_of(field);
    if (!c)
        return;
    c->has_filterable = true;
    c->filterable = filterable;
}

void frame_field_set_unit(struct frame_field *field, const char *unit)
{
    struct frame_field_config *c = config_of(field);
    if (c)
        replace_string(&c->unit, unit);
}

void frame_field_set_decimals(struct frame_field *field, unsigned decimals)
{
    struct frame_field_config *c = config_of(field);
    if (!c)
        return;
    c->has_decimals = true;
    c->decimals = decimals > 65535 ? 65535 : decimals; /* Go: *uint16 */
}

void frame_field_set_min(struct frame_field *field, double min)
{
    struct frame_field_config *c = config_of(field);
    if (!c)
        return;
    c->has_min = true;
    c->min = min;
}

void frame_field_set_max(struct frame_field *field, double max)
{
    struct frame_field_config *c = config_of(field);
    if (!c)
        return;
    c->has_max = true;
    c->max = max;
}

void frame_field_set_interval(struct frame_field *field, double interval_ms)
{
    struct frame_field_config *c = config_of(field);
    if (!c)
        return;
    if (!isfinite(interval_ms)) {
        frame_record_misuse(field->frame, 500,
                            "frame \"%s\", field \"%s\": config.interval must be finite",
                            field->frame->name, field->name);
        return;
    }
    c->interval = interval_ms;
}

void frame_field_set_no_value(struct frame_field *field, const char *text)
{
    struct frame_field_config *c = config_of(field);
    if (c)
        replace_string(&c->no_value, text);
}

static struct frame_link *push_link(struct frame_field_config *c)
{
    c->links = et_xgrow(c->links, &c->link_cap, c->link_count + 1, sizeof *c->links);
    struct frame_link *link = &c->links[c->link_count++];
    memset(link, 0, sizeof *link);
    return link;
}

void frame_field_add_internal_link(struct frame_field *field, const char *title,
                                   const char *datasource_uid, const char *datasource_name,
                                   json_t *query)
{
    struct frame_field_config *c = config_of(field);
    if (!c) {
        json_decref(query);
        return;
    }
    struct frame_link *link = push_link(c);
    replace_string(&link->title, title);
    link->internal = true;
    replace_string(&link->datasource_uid, datasource_uid);
    replace_string(&link->datasource_name, datasource_name);
    if (json_is_null(query)) { /* false for NULL */
        json_decref(query);
        query = NULL;
    }
    link->query = query;
}

void frame_field_add_url_link(struct frame_field *field, const char *title, const char *url,
                              bool target_blank)
{
    struct frame_field_config *c = config_of(field);
    if (!c)
        return;
    struct frame_link *link = push_link(c);
    replace_string(&link->title, title);
    replace_string(&link->url, url);
    link->target_blank = target_blank;
}

void frame_field_set_enum_text(struct frame_field *field, const char *const *texts, size_t n)
{
    struct frame_field_config *c = config_of(field);
    if (!c)
        return;
    for (size_t i = 0; i < c->enum_count; i++)
        free(c->enum_text[i]);
    free(c->enum_text);
    c->enum_text = n ? et_xcalloc(n, sizeof *c->enum_text) : NULL;
    for (size_t i = 0; i < n; i++)
        c->enum_text[i] = et_xstrdup(texts && texts[i] ? texts[i] : "");
    c->enum_count = n;
    c->has_enum = true;
}

void frame_field_set_config_custom(struct frame_field *field, json_t *custom)
{
    struct frame_field_config *c = config_of(field);
    if (!c) {
        json_decref(custom);
        return;
    }
    json_decref(c->custom);
    c->custom = NULL;
    if (custom && !json_is_object(custom)) {
        json_decref(custom);
        frame_record_misuse(field->frame, 500,
                            "frame \"%s\", field \"%s\": config.custom must be a JSON object",
                            field->frame->name, field->name);
        return;
    }
    c->custom = custom;
}

void frame_field_set_config_raw(struct frame_field *field, const char *json)
{
    if (!field)
        return;
    free(field->config.raw);
    field->config.raw = json ? et_xstrdup(json) : NULL;
}

bool frame_field_has_config(const struct frame_field *field)
{
    return field && (field->config.present || field->config.raw);
}

const char *frame_field_unit(const struct frame_field *field)
{
    return field ? field->config.unit : NULL;
}

const char *frame_field_display_name_from_ds(const struct frame_field *field)
{
    return field ? field->config.display_name_from_ds : NULL;
}
