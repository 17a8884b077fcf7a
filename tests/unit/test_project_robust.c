/*
 * test_project_robust.c -- projects under the accidents of real use:
 * several `quarry init` of one name at once (exactly one makes it, the
 * others are told it exists, and the file is a project), a quarry killed
 * in the middle of a write (a hot journal a read-only open must roll back,
 * not call damage), another process holding the write lock (busy, never
 * "damaged"), and a folder named as a project.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "quarry/quarry.h"
#include "test_files.h"

static char dir[256];

static const char *tmp(const char *name)
{
    return test_path(dir, name);
}

static int setup(void **state)
{
    (void)state;
    test_tmpdir(dir, sizeof dir, "robust");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_rmdir(dir);
}

static void make_project(const char *path)
{
    quarry_project *p = NULL;
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    if (quarry_project_create(p, path) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    quarry_project_free(p);
}

static void open_ok(const char *path, int flags)
{
    quarry_project *p = NULL;
    quarry_project_counts n;
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    if (quarry_project_open(p, path, flags) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    assert_int_equal(quarry_project_count(p, &n), QUARRY_OK);
    quarry_project_free(p);
}

/* Eight processes create one path at once, twenty times: each child exits
 * 0 when it created the file, 3 when told it exists, 1 otherwise. */
static void test_concurrent_create(void **state)
{
    enum { PROCS = 8, ROUNDS = 20 };
    int round, i;
    (void)state;
    for (round = 0; round < ROUNDS; round++) {
        const char *path = tmp("race.quarry");
        pid_t pids[PROCS];
        int made = 0, exists = 0, status;
        unlink(path);
        for (i = 0; i < PROCS; i++) {
            pids[i] = fork();
            assert_true(pids[i] >= 0);
            if (pids[i] == 0) {
                quarry_project *p = NULL;
                int rc;
                if (quarry_project_new(&p) != QUARRY_OK)
                    _exit(1);
                rc = quarry_project_create(p, path);
                if (rc == QUARRY_EEXIST &&
                    strstr(quarry_project_errmsg(p), "already exists") == NULL)
                    rc = QUARRY_EIO;
                quarry_project_free(p);
                _exit(rc == QUARRY_OK ? 0 : rc == QUARRY_EEXIST ? 3 : 1);
            }
        }
        for (i = 0; i < PROCS; i++) {
            assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
            assert_true(WIFEXITED(status));
            if (WEXITSTATUS(status) == 0)
                made++;
            else if (WEXITSTATUS(status) == 3)
                exists++;
        }
        if (made != 1 || exists != PROCS - 1)
            fail_msg("round %d: %d created, %d told it exists", round, made,
                     exists);
        open_ok(path, 0);
    }
}

/* A failed create never removes a file it did not make. */
static void test_create_keeps_others(void **state)
{
    quarry_project *p = NULL;
    struct stat sb;
    FILE *f = fopen(tmp("theirs.quarry"), "wb");
    (void)state;
    assert_non_null(f);
    fputs("not mine", f);
    fclose(f);
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    assert_int_equal(quarry_project_create(p, tmp("theirs.quarry")),
                     QUARRY_EEXIST);
    assert_non_null(strstr(quarry_project_errmsg(p), "already exists"));
    assert_int_equal(stat(tmp("theirs.quarry"), &sb), 0);
    assert_int_equal(sb.st_size, 8);
    quarry_project_free(p);
}

/* A child writes many rows in one transaction with a one-page cache (so
 * SQLite spills changed pages into the file and the originals into the
 * journal) and is killed before it commits. */
static void kill_mid_write(const char *path)
{
    int status;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        sqlite3 *db = NULL;
        if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) !=
                SQLITE_OK ||
            sqlite3_exec(db,
                         "PRAGMA cache_size = 1; BEGIN;"
                         "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL"
                         " SELECT i + 1 FROM n WHERE i < 20000)"
                         " INSERT INTO meta(key, value)"
                         " SELECT 'k' || i, hex(randomblob(64)) FROM n;",
                         NULL, NULL, NULL) != SQLITE_OK)
            _exit(1);
        raise(SIGKILL);
        _exit(1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
}

static void test_hot_journal(void **state)
{
    const char *path = tmp("killed.quarry");
    char journal[600];
    struct stat sb;
    quarry_project *p = NULL;
    (void)state;
    make_project(path);
    kill_mid_write(path);
    snprintf(journal, sizeof journal, "%s-journal", path);
    assert_int_equal(stat(journal, &sb), 0); /* the hot journal is there */
    assert_true(sb.st_size > 0);
    /* Read-only commands (status, export) roll it back and read. */
    open_ok(path, QUARRY_PROJECT_READONLY);
    assert_int_not_equal(stat(journal, &sb), 0);
    open_ok(path, 0);

    /* Without write access to the folder the journal cannot go: a plain
     * word that the project is fine and what quarry needs. */
    if (geteuid() != 0) {
        kill_mid_write(path);
        assert_int_equal(chmod(dir, 0555), 0);
        assert_int_equal(quarry_project_new(&p), QUARRY_OK);
        assert_int_not_equal(
            quarry_project_open(p, path, QUARRY_PROJECT_READONLY), QUARRY_OK);
        assert_non_null(strstr(quarry_project_errmsg(p), "interrupted"));
        assert_null(strstr(quarry_project_errmsg(p), "damaged,"));
        quarry_project_free(p);
        assert_int_equal(chmod(dir, 0755), 0);
        open_ok(path, QUARRY_PROJECT_READONLY);
    }
}

/* A child holds the write lock (EXCLUSIVE: no reader gets in) for hold
 * seconds; the pipe says when it has it. */
static pid_t hold_lock(const char *path, int hold)
{
    int fds[2];
    char c;
    pid_t pid;
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        sqlite3 *db = NULL;
        close(fds[0]);
        if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) !=
                SQLITE_OK ||
            sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK)
            _exit(1);
        if (write(fds[1], "x", 1) != 1)
            _exit(1);
        sleep((unsigned)hold);
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        sqlite3_close(db);
        _exit(0);
    }
    close(fds[1]);
    assert_int_equal(read(fds[0], &c, 1), 1);
    close(fds[0]);
    return pid;
}

static void test_locked(void **state)
{
    const char *path = tmp("locked.quarry");
    quarry_project *p = NULL;
    int status;
    pid_t pid;
    (void)state;
    make_project(path);

    /* A short write: the open waits for it. */
    pid = hold_lock(path, 1);
    open_ok(path, QUARRY_PROJECT_READONLY);
    assert_int_equal(waitpid(pid, &status, 0), pid);

    /* A long one: busy after the timeout, never "damaged". */
    pid = hold_lock(path, 8);
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    assert_int_equal(quarry_project_open(p, path, QUARRY_PROJECT_READONLY),
                     QUARRY_EIO);
    assert_non_null(strstr(quarry_project_errmsg(p),
                           "is busy: another quarry is writing to it"));
    assert_null(strstr(quarry_project_errmsg(p), "damaged"));
    quarry_project_free(p);
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, &status, 0), pid);
}

static void test_folder(void **state)
{
    quarry_project *p = NULL;
    (void)state;
    assert_int_equal(mkdir(tmp("study"), 0755), 0);
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    assert_int_equal(quarry_project_open(p, tmp("study"), 0), QUARRY_EPARSE);
    assert_non_null(strstr(quarry_project_errmsg(p),
                           "is a folder, not a quarry project"));
    assert_int_equal(quarry_project_create(p, tmp("study")), QUARRY_EEXIST);
    quarry_project_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_create),
        cmocka_unit_test(test_create_keeps_others),
        cmocka_unit_test(test_hot_journal),
        cmocka_unit_test(test_locked),
        cmocka_unit_test(test_folder),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
