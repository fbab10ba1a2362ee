/* SPDX-License-Identifier: Apache-2.0
 *
 * Frame names normalised for grouping: the parts of a module or function
 * name that change between builds or deploys of the same code are removed
 * or replaced by markers, so the same call site always gives the same name.
 *
 *   JVM     StockRepository$$SpringCGLIB$$0 -> StockRepository (CGLIB,
 *           ByteBuddy, javassist, Mockito, Hibernate proxies); Foo$1 ->
 *           Foo$<anon>; lambda$reserve$0 -> lambda$reserve; Kotlin
 *           QuoteService$quote$2.invokeSuspend -> QuoteService.quote;
 *           foo$default / foo$suspendImpl -> foo; `$$Lambda` frames dropped
 *   Python  unchanged (<lambda>, <genexpr>, <module> are already stable);
 *           <listcomp>/<dictcomp>/<setcomp> frames are not usable (3.12
 *           inlines comprehensions, so they come and go with the runtime)
 *   Go      createShipment.func1.2, .gowrap1, .deferwrap1 -> .<closure>;
 *           generic instantiations [...] and method-value -fm dropped
 *   Node    Object.<anonymous> -> <anonymous>; Object.foo -> foo; an empty
 *           name is <anonymous>; one- or two-letter names (minified) are
 *           not usable
 *   .NET    generic arity `1 and [T] dropped; <>c / <>c__DisplayClass12_0
 *           removed; <CaptureAsync>d__7.MoveNext -> CaptureAsync;
 *           <Load>b__12_0 -> Load.<lambda>; <Invoke>g__Logged|12_1 ->
 *           Invoke.Logged
 *   Ruby    block (2 levels) in x -> block in x; ERB ___1234_5678 suffixes
 *           dropped
 *   PHP     {closure:/path:12} -> {closure}; class@anonymous/path$0 ->
 *           class@anonymous
 *   other   the line is turned into a message template (numbers, ids,
 *           addresses replaced)
 *
 * Internal to src/analysis. Thread safety: pure functions.
 */
#ifndef ET_ANALYSIS_FRAME_NAME_H
#define ET_ANALYSIS_FRAME_NAME_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/stacktrace.h"

#define FRAME_NAME_MAX 256

struct frame_name {
    char module[FRAME_NAME_MAX];
    char function[FRAME_NAME_MAX];
};

/* Normalise frame f of a `lang` trace into `out`. Returns false when the
 * frame cannot identify code (noise, no name, minified, a JVM lambda shim):
 * such frames take no part in grouping. */
bool frame_name_normalize(enum stack_language lang, const struct stack_frame *f,
                          struct frame_name *out);

#endif
