/*
 * project_paths.c -- what a run shows and shares: its command line and
 * options with the folders of the machine cut away (project_stats.h), for
 * the report, the web page and the REFI-QDA export.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "quarry/project_stats.h"

/* A run's command line with every word that names a path cut to its last
 * part ("quarry suggest /home/ana/study.quarry" -> "... study.quarry"),
 * so the run log names no folder of the machine either; malloc'ed. */
char *quarry_run_command_shown(const char *cmd)
{
    size_t n, o = 0, i = 0;
    char *out;
    if (cmd == NULL)
        cmd = "";
    n = strlen(cmd);
    out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    while (i < n) {
        size_t j = i, k, keep = 0;
        const char *word;
        while (j < n && cmd[j] != ' ' && cmd[j] != '\t')
            j++;
        /* One word: an option's "--name=" kept, the rest copied from its
         * last '/' or '\\' on. */
        if (cmd[i] == '-')
            for (k = i; k < j && keep == 0; k++)
                if (cmd[k] == '=')
                    keep = k + 1 - i;
        memcpy(out + o, cmd + i, keep);
        o += keep;
        word = cmd + i + keep;
        for (k = i + keep; k < j; k++)
            if ((cmd[k] == '/' || cmd[k] == '\\') && k + 1 < j)
                word = cmd + k + 1;
        memcpy(out + o, word, (size_t)(cmd + j - word));
        o += (size_t)(cmd + j - word);
        while (j < n && (cmd[j] == ' ' || cmd[j] == '\t'))
            out[o++] = cmd[j++];
        i = j;
    }
    out[o] = '\0';
    return out;
}

/* The same for every string of a run's options (a lexicon or stop word
 * file given by path); how many it cut. */
static int json_without_paths(json_t *v)
{
    const char *key;
    json_t *item;
    size_t i;
    int n = 0;
    if (json_is_string(v) && strpbrk(json_string_value(v), "/\\") != NULL) {
        char *cut = quarry_run_command_shown(json_string_value(v));
        n = cut != NULL && json_string_set(v, cut) == 0;
        free(cut);
    } else if (json_is_object(v)) {
        json_object_foreach(v, key, item)
            n += json_without_paths(item);
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, item)
            n += json_without_paths(item);
    }
    return n;
}

/* The options as stored when no string names a path (so the note keeps
 * its bytes), else dumped again with the paths cut; malloc'ed. */
char *quarry_run_options_shown(const char *options)
{
    json_t *o;
    char *out;
    if (options == NULL)
        options = "";
    o = json_loads(options, 0, NULL);
    if (o == NULL)
        return quarry_run_command_shown(options);
    if (json_without_paths(o) == 0)
        out = strdup(options);
    else
        out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return out;
}

