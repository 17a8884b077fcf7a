/*
 * cmd_code.c -- `quarry code add|rename|move|merge|define|delete PROJECT
 * ...`: editing a
 * project's codebook from the command line, each edit recorded with who
 * made it (quarry_project_code_edit; `quarry export PROJECT --format
 * code-history` lists them).
 *
 * What an edit did is said on stdout in the researcher's terms (names,
 * where the code now sits, for a merge how many codings moved), read
 * from the codebook listing before and after the edit; refusals go to
 * stderr with exit 1 and leave the project as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "quarry/project_browse.h"

enum {
    OPT_CODER = OPT_COMMAND_BASE,
    OPT_NAME,
    OPT_ID,
    OPT_PARENT,
    OPT_TOP,
    OPT_INTO,
    OPT_DEFINITION,
    OPT_INCLUDE,
    OPT_EXCLUDE
};

typedef struct code_args {
    const char *coder, *name, *id, *parent, *into, *definition, *include,
        *exclude;
    int top;
} code_args;

static const char *const ops[] = {NULL,    "add",    "rename", "move",
                                  "merge", "define", "delete"};
#define N_OPS 6

static void usage(FILE *f)
{
    fprintf(f,
            "usage: quarry code add PROJECT --name NAME [--parent ID] "
            "[--id ID]\n"
            "                   [--definition TEXT] --coder NAME\n"
            "       quarry code rename PROJECT CODE --name NAME --coder NAME\n"
            "       quarry code move PROJECT CODE --parent ID|--top "
            "--coder NAME\n"
            "       quarry code merge PROJECT CODE --into ID --coder NAME\n"
            "       quarry code define PROJECT CODE [--definition TEXT]\n"
            "                   [--include TEXT] [--exclude TEXT] --coder NAME\n"
            "       quarry code delete PROJECT CODE --coder NAME\n\n"
            "Edit the project's codebook. Every edit is kept in the project\n"
            "with who made it and when (`quarry export PROJECT --format\n"
            "code-history` lists them). A code keeps its id, so a rename or\n"
            "a move keeps every coding of it.\n\n"
            "  add      a new code, at the top level or under --parent; its\n"
            "           id is made from the name unless --id gives one\n"
            "  rename   CODE gets the name --name\n"
            "  move     CODE goes under --parent, or to the top level with\n"
            "           --top (never under itself or one of its own codes)\n"
            "  merge    CODE goes into --into: its codings become codings of\n"
            "           --into (a coder who had both keeps one), its codes\n"
            "           and memos move there, and CODE leaves the codebook;\n"
            "           the decision trail still names CODE where coders\n"
            "           decided on it\n"
            "  define   CODE's definition, and its include and exclude notes\n"
            "           (when to code it, when not to): each option given\n"
            "           replaces that field; an empty one (\"\") clears it\n"
            "  delete   CODE leaves the codebook, when nothing rests on it:\n"
            "           a code with codings, decisions, memos or codes under\n"
            "           it stays (merge it into another code instead); its\n"
            "           pending suggestions go with it\n\n"
            "  --coder NAME      who makes the change (required; default: the\n"
            "                    QUARRY_CODER environment variable)\n"
            "  --name NAME       add, rename: the name (unique among the\n"
            "                    codes beside it, letter case aside)\n"
            "  --parent ID       add, move: the code to put it under\n"
            "  --top             move: to the top level\n"
            "  --into ID         merge: the code that stays\n"
            "  --id ID           add: the new code's id (one word: C07,\n"
            "                    sup.peers)\n"
            "  --definition TEXT add, define: what the code means\n"
            "  --include TEXT    define: when to code it\n"
            "  --exclude TEXT    define: when not to (what goes elsewhere)\n"
            "`quarry codebook show PROJECT` shows the codebook with its ids.\n");
}

static int own_option(cli *c, int opt, const char *arg, void *ctx)
{
    code_args *a = ctx;
    (void)c;
    switch (opt) {
    case OPT_CODER:
        a->coder = arg;
        return 1;
    case OPT_NAME:
        a->name = arg;
        return 1;
    case OPT_ID:
        a->id = arg;
        return 1;
    case OPT_PARENT:
        a->parent = arg;
        return 1;
    case OPT_TOP:
        a->top = 1;
        return 1;
    case OPT_INTO:
        a->into = arg;
        return 1;
    case OPT_DEFINITION:
        a->definition = arg;
        return 1;
    case OPT_INCLUDE:
        a->include = arg;
        return 1;
    case OPT_EXCLUDE:
        a->exclude = arg;
        return 1;
    default:
        return 0;
    }
}

/* What the codebook says of one code, copied before an edit changes it. */
typedef struct code_seen {
    char *name, *parent;
    char *field[3]; /* define: definition, include, exclude */
    int64_t n_codings;
    int64_t children;
    int found;
} code_seen;

static void seen_free(code_seen *s)
{
    int i;
    free(s->name);
    free(s->parent);
    for (i = 0; i < 3; i++)
        free(s->field[i]);
    memset(s, 0, sizeof *s);
}

static int seen_of(quarry_project *p, const char *id, code_seen *s)
{
    const quarry_project_code *codes;
    int32_t n, i;
    int rc;
    memset(s, 0, sizeof *s);
    if (id == NULL)
        return QUARRY_OK;
    rc = quarry_project_codes(p, &codes, &n);
    for (i = 0; rc == QUARRY_OK && i < n; i++) {
        if (codes[i].parent != NULL && strcmp(codes[i].parent, id) == 0)
            s->children++;
        if (strcmp(codes[i].id, id) != 0)
            continue;
        s->found = 1;
        s->n_codings = codes[i].n_codings;
        s->name = codes[i].name ? strdup(codes[i].name) : NULL;
        s->parent = codes[i].parent ? strdup(codes[i].parent) : NULL;
        free(s->field[0]);
        s->field[0] =
            codes[i].definition ? strdup(codes[i].definition) : NULL;
    }
    return rc;
}

typedef struct notes_ctx {
    const char *id;
    code_seen *s;
} notes_ctx;

static int note_of(void *ctx, const quarry_code_notes *n)
{
    notes_ctx *x = ctx;
    if (strcmp(n->code, x->id) != 0)
        return 0;
    x->s->field[1] = n->include ? strdup(n->include) : NULL;
    x->s->field[2] = n->exclude ? strdup(n->exclude) : NULL;
    return 0;
}

/* The include and exclude notes of code id into s (its definition comes
 * with seen_of). */
static int notes_of(quarry_project *p, const char *id, code_seen *s)
{
    notes_ctx x;
    x.id = id;
    x.s = s;
    return quarry_project_code_notes(p, note_of, &x);
}

static int same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) ||
           (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* "code C "Name": definition written, exclude note cleared"; 0 when
 * nothing changed (said so). */
static int print_defined(const quarry_code_edit *e, const code_seen *was,
                         const code_seen *now)
{
    static const char *const what[3] = {"definition", "include note",
                                        "exclude note"};
    int f, n = 0;
    for (f = 0; f < 3; f++)
        n += !same(was->field[f], now->field[f]);
    printf("code %s \"%s\": ", e->code, now->name ? now->name : e->code);
    if (n == 0) {
        printf("nothing changed (it already read so)");
        return 0;
    }
    n = 0;
    for (f = 0; f < 3; f++) {
        if (same(was->field[f], now->field[f]))
            continue;
        printf("%s%s %s", n++ ? ", " : "", what[f],
               now->field[f] == NULL ? "cleared"
               : was->field[f] == NULL ? "written"
                                       : "changed");
    }
    return 1;
}

#define CODE_ID_MAX 512

/* *code given by its name made its id (copied into buf), when a code
 * has that name; an unknown one is left for the edit to refuse. */
static int resolve(cli *c, quarry_project *p, const char *what,
                   const char **code, char buf[CODE_ID_MAX])
{
    const char *id = NULL;
    int rc;
    if (*code == NULL)
        return QUARRY_OK;
    rc = quarry_project_code_resolve(p, *code, &id);
    if (rc != QUARRY_OK) {
        cli_error(c, "%s: %s; nothing changed", what,
                  quarry_project_errmsg(p));
        return rc;
    }
    if (id != NULL && strcmp(id, *code) != 0 && strlen(id) < CODE_ID_MAX) {
        snprintf(buf, CODE_ID_MAX, "%s", id);
        *code = buf;
    }
    return QUARRY_OK;
}

/* 1 when code is a theme (codes under it, not codable itself), 0 when
 * not, -1 when it cannot tell. */
static int theme_now(quarry_project *p, const char *code)
{
    const quarry_project_code *list = NULL;
    int32_t i, n = 0;
    if (code == NULL || quarry_project_codes(p, &list, &n) != QUARRY_OK)
        return -1;
    for (i = 0; i < n; i++)
        if (strcmp(list[i].id, code) == 0)
            return list[i].is_theme != 0;
    return -1;
}

static int count_memo(void *ctx, const quarry_memo *m)
{
    (void)m;
    ++*(int64_t *)ctx;
    return 0;
}

/* "under ID" or "at the top level". */
static void print_place(const char *parent)
{
    if (parent != NULL)
        printf("under %s", parent);
    else
        printf("at the top level");
}

static const char *plural(int64_t n)
{
    return n == 1 ? "" : "s";
}

/* Which options an edit takes; a stray one is refused by name. */
static int check_options(cli *c, quarry_code_op op, const code_args *a)
{
    const char *stray = NULL;
    if (a->name && op != QUARRY_CODE_ADD && op != QUARRY_CODE_RENAME)
        stray = "--name";
    else if (a->parent && op != QUARRY_CODE_ADD && op != QUARRY_CODE_MOVE)
        stray = "--parent";
    else if (a->top && op != QUARRY_CODE_MOVE)
        stray = "--top";
    else if (a->into && op != QUARRY_CODE_MERGE)
        stray = "--into";
    else if (a->id && op != QUARRY_CODE_ADD)
        stray = "--id";
    else if (a->definition && op != QUARRY_CODE_ADD &&
             op != QUARRY_CODE_DEFINE)
        stray = "--definition";
    else if (a->include && op != QUARRY_CODE_DEFINE)
        stray = "--include";
    else if (a->exclude && op != QUARRY_CODE_DEFINE)
        stray = "--exclude";
    if (stray != NULL) {
        cli_error(c, "%s does not go with `quarry code %s` (see quarry code "
                     "--help)", stray, ops[op]);
        return -1;
    }
    if (op == QUARRY_CODE_MOVE && a->top && a->parent) {
        cli_error(c, "move: give --parent ID or --top, not both");
        return -1;
    }
    if (op == QUARRY_CODE_MOVE && !a->top && !a->parent) {
        cli_error(c, "move: where to? give --parent ID, or --top for the "
                     "top level");
        return -1;
    }
    if (op == QUARRY_CODE_MERGE && a->into == NULL) {
        cli_error(c, "merge: give --into ID, the code that stays");
        return -1;
    }
    if (op == QUARRY_CODE_DEFINE && !a->definition && !a->include &&
        !a->exclude) {
        cli_error(c, "define: give --definition TEXT, --include TEXT or "
                     "--exclude TEXT (an empty one clears the field)");
        return -1;
    }
    if ((op == QUARRY_CODE_ADD || op == QUARRY_CODE_RENAME) &&
        a->name == NULL) {
        cli_error(c, "%s: give --name NAME", ops[op]);
        return -1;
    }
    return 0;
}

int cmd_code(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"coder", required_argument, NULL, OPT_CODER},
        {"name", required_argument, NULL, OPT_NAME},
        {"id", required_argument, NULL, OPT_ID},
        {"parent", required_argument, NULL, OPT_PARENT},
        {"top", no_argument, NULL, OPT_TOP},
        {"into", required_argument, NULL, OPT_INTO},
        {"definition", required_argument, NULL, OPT_DEFINITION},
        {"include", required_argument, NULL, OPT_INCLUDE},
        {"exclude", required_argument, NULL, OPT_EXCLUDE},
        {NULL, 0, NULL, 0}};
    quarry_code_edit e = QUARRY_CODE_EDIT_INIT;
    quarry_code_op op = (quarry_code_op)0;
    code_seen was = {0}, into = {0}, after = {0};
    quarry_project *p = NULL;
    const char *made = NULL, *project;
    char code_id[CODE_ID_MAX], into_id[CODE_ID_MAX], parent_id[CODE_ID_MAX];
    int64_t memos = 0;
    int theme_before = -1;
    code_args a;
    cli c;
    int code, rc, i, operands;
    memset(&a, 0, sizeof a);
    cli_init(&c, "code");
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
                      strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        code = EXIT_OK;
        goto out;
    }
    for (i = 1; argc >= 2 && i <= N_OPS; i++)
        if (strcmp(argv[1], ops[i]) == 0)
            op = (quarry_code_op)i;
    if (op == 0) {
        if (argc < 2)
            cli_error(&c, "what edit? add, rename, move, merge, define or "
                          "delete (quarry code --help)");
        else
            cli_error(&c, "\"%s\" is not an edit: add, rename, move, merge, "
                          "define or delete (quarry code --help)", argv[1]);
        usage(stderr);
        code = EXIT_INPUT;
        goto out;
    }
    code = cli_parse(&c, argc - 1, argv + 1, longopts, own_option, &a, usage);
    if (code >= 0)
        goto out;
    code = EXIT_INPUT;
    /* optind counts in argv + 1. */
    operands = argc - 1 - optind;
    if (operands != (op == QUARRY_CODE_ADD ? 1 : 2)) {
        cli_error(&c, op == QUARRY_CODE_ADD
                          ? "usage: quarry code add PROJECT --name NAME "
                            "--coder NAME (one project, no code id: --id "
                            "gives one)"
                          : "usage: quarry code %s PROJECT CODE ... (the "
                            "project, then the id of the code)",
                  ops[op]);
        goto out;
    }
    if (check_options(&c, op, &a) != 0)
        goto out;
    e.coder = a.coder ? a.coder : getenv("QUARRY_CODER");
    if (e.coder == NULL || e.coder[strspn(e.coder, " \t")] == '\0') {
        cli_error(&c, "who makes this change? give --coder NAME (or set "
                      "QUARRY_CODER)");
        goto out;
    }
    project = argv[1 + optind];
    e.code = op == QUARRY_CODE_ADD ? NULL : argv[2 + optind];
    e.name = a.name;
    e.parent = a.parent;
    e.into = a.into;
    e.id = a.id;
    e.definition = a.definition;
    e.include = a.include;
    e.exclude = a.exclude;
    if (cli_open_project(&c, project, 0, &p) != QUARRY_OK)
        goto out;
    /* Codes named by their names (any case) are the codes of those
     * names from here on: what is printed is the code acted on. */
    rc = resolve(&c, p, "code", &e.code, code_id);
    if (rc == QUARRY_OK)
        rc = resolve(&c, p, "--into", &e.into, into_id);
    if (rc == QUARRY_OK)
        rc = resolve(&c, p, "--parent", &e.parent, parent_id);
    if (rc != QUARRY_OK) {
        code = cli_exit_code(rc);
        goto out;
    }
    rc = seen_of(p, e.code, &was);
    if (rc == QUARRY_OK && op == QUARRY_CODE_DEFINE)
        rc = notes_of(p, e.code, &was);
    if (rc == QUARRY_OK)
        rc = seen_of(p, e.into, &into);
    if (rc == QUARRY_OK && op == QUARRY_CODE_MERGE && was.found)
        rc = quarry_project_memos(p, QUARRY_MEMOS_CODE, e.code, count_memo,
                                  &memos);
    /* Whether the parent (add, move) or the code kept (merge) is a theme
     * before: an edit that turns one into the other says so. */
    if (rc == QUARRY_OK)
        theme_before = theme_now(p, op == QUARRY_CODE_MERGE ? e.into
                                                            : e.parent);
    if (rc == QUARRY_OK)
        rc = quarry_project_code_edit(p, op, &e, &made);
    if (rc == QUARRY_OK && made == NULL && op == QUARRY_CODE_ADD)
        rc = QUARRY_ENOMEM;
    if (rc == QUARRY_OK && op == QUARRY_CODE_MERGE)
        rc = seen_of(p, e.into, &after);
    if (rc == QUARRY_OK && op == QUARRY_CODE_DEFINE) {
        rc = seen_of(p, e.code, &after);
        if (rc == QUARRY_OK)
            rc = notes_of(p, e.code, &after);
    }
    if (rc != QUARRY_OK) {
        cli_error(&c, "%s; nothing changed", quarry_project_errmsg(p));
        code = cli_exit_code(rc);
        goto out;
    }
    code = EXIT_OK;
    if (c.verbose < 0)
        goto out;
    switch (op) {
    case QUARRY_CODE_ADD:
        printf("added code %s \"%s\" ", made, e.name);
        print_place(e.parent);
        break;
    case QUARRY_CODE_RENAME:
        printf("renamed code %s \"%s\" to \"%s\"", e.code,
               was.name ? was.name : e.code, e.name);
        break;
    case QUARRY_CODE_DEFINE:
        if (print_defined(&e, &was, &after) == 0) {
            printf("\n");
            goto out;
        }
        break;
    case QUARRY_CODE_DELETE:
        printf("deleted code %s \"%s\" (it was ", e.code,
               was.name ? was.name : e.code);
        print_place(was.parent);
        printf(")");
        break;
    case QUARRY_CODE_MOVE:
        printf("moved code %s \"%s\" %s%s (was ", e.code,
               was.name ? was.name : e.code,
               e.parent ? "under " : "to the top level",
               e.parent ? e.parent : "");
        print_place(was.parent);
        printf(")");
        break;
    default: {
        int64_t moved = after.n_codings - into.n_codings;
        printf("merged code %s \"%s\" into %s \"%s\": %lld coding%s moved",
               e.code, was.name ? was.name : e.code, e.into,
               into.name ? into.name : e.into, (long long)moved,
               plural(moved));
        if (was.n_codings > moved)
            printf(", %lld kept once (the coder had both)",
                   (long long)(was.n_codings - moved));
        if (was.children > 0)
            printf(", %lld code%s moved under %s", (long long)was.children,
                   plural(was.children), e.into);
        if (memos > 0)
            printf(", %lld memo%s now on %s", (long long)memos,
                   plural(memos), e.into);
        break;
    }
    }
    printf(", by %s\n", e.coder);
    {
        const char *other = op == QUARRY_CODE_MERGE ? e.into : e.parent;
        int theme_after = theme_now(p, other);
        if (theme_before == 0 && theme_after == 1)
            cli_note(&c, "%s has codes under it now: it is a theme, which "
                         "is not coded directly (its codings stay; quarry "
                         "review and imports then refuse it as a code)",
                     other);
        else if (theme_before == 1 && theme_after == 0)
            cli_note(&c, "%s is no longer a theme: it holds codings now and "
                         "can be coded directly", other);
    }
    code = fflush(stdout) == 0 ? EXIT_OK : EXIT_INTERNAL;
out:
    seen_free(&was);
    seen_free(&into);
    seen_free(&after);
    quarry_project_free(p);
    cli_free(&c);
    return code;
}
