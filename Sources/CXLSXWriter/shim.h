// Shim over Debian's libxlsxwriter-dev, with the two calls that take C structs of strings done in
// C so that the Swift wrapper never builds one.
#ifndef BANSO_CXLSXWRITER_SHIM_H
#define BANSO_CXLSXWRITER_SHIM_H
#include <xlsxwriter.h>
#include <string.h>

/// A workbook without temporary-file tricks (the files are small).
static inline lxw_workbook *banso_workbook_new(const char *path) {
    lxw_workbook_options options;
    memset(&options, 0, sizeof options);
    return workbook_new_opt(path, &options);
}

/// Fixed document properties, so that the same data gives the same bytes.
static inline lxw_error banso_workbook_set_properties(
    lxw_workbook *workbook, const char *title, const char *author, time_t created) {
    lxw_doc_properties properties;
    memset(&properties, 0, sizeof properties);
    properties.title = (char *)title;
    properties.author = (char *)author;
    properties.created = created;
    return workbook_set_properties(workbook, &properties);
}
#endif
