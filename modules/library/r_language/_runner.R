# Child side of Execute R Script, run as
#   Rscript --vanilla _runner.R script.R seed in1.csv in1.types in2.csv in2.types out1.csv out2.csv status.json
# (an empty argument for an unconnected input or no seed). Never sourced by Tessera.
#
# It reads the input tables from CSV (column classes from the .types files), runs the user's script
# and calls its azureml_main(dataframe1, dataframe2), then writes each returned data frame as CSV and
# a small status.json. The user's code runs in this same process and can rewrite any of these files:
# the parent believes none of them and reads each one back as data.

SCRIPT_NAME <- "R script"
ENTRY_POINT <- "azureml_main"
PORTS <- c("Result Dataset", "Result Dataset2")
EXIT_OK <- 0L
EXIT_SCRIPT_FAILED <- 1L
EXIT_OUT_OF_MEMORY <- 3L
TRACE_LINES <- 12L

json_text <- function(x) {
  x <- enc2utf8(as.character(x))
  x <- gsub("\\", "\\\\", x, fixed = TRUE)
  x <- gsub("\"", "\\\"", x, fixed = TRUE)
  x <- gsub("\n", "\\n", x, fixed = TRUE)
  x <- gsub("\r", "\\r", x, fixed = TRUE)
  x <- gsub("\t", "\\t", x, fixed = TRUE)
  x <- gsub("[[:cntrl:]]", " ", x)
  paste0("\"", x, "\"")
}

write_status <- function(path, ok, kind = NULL, line = NULL, message = NULL, trace = character(0)) {
  fields <- c(paste0("\"ok\": ", if (ok) "true" else "false"))
  if (!is.null(kind)) fields <- c(fields, paste0("\"kind\": ", json_text(kind)))
  if (!ok) {
    fields <- c(fields, paste0("\"line\": ", if (length(line) == 1 && !is.na(line)) as.integer(line) else "null"))
    fields <- c(fields, paste0("\"message\": ", json_text(if (is.null(message)) "" else message)))
    items <- if (length(trace)) paste(json_text(trace), collapse = ", ") else ""
    fields <- c(fields, paste0("\"traceback\": [", items, "]"))
  }
  writeLines(paste0("{", paste(fields, collapse = ", "), "}"), path, useBytes = TRUE)
}

# A failure of the user's script: the parent reports kind, line and message.
failure <- function(kind, message, line = NA_integer_, trace = character(0)) {
  structure(
    class = c("script_failure", "error", "condition"),
    list(message = message, call = NULL, kind = kind, line = line, trace = trace)
  )
}

read_input <- function(path, types_path) {
  if (!nzchar(path)) return(NULL)
  types <- readLines(types_path, encoding = "UTF-8")
  if (length(types) == 0L) return(data.frame())
  utils::read.csv(
    path, colClasses = types, check.names = FALSE, na.strings = "", stringsAsFactors = FALSE,
    encoding = "UTF-8", fileEncoding = "UTF-8"
  )
}

# Line of the script where a call on the stack was made, deepest last.
script_lines <- function(calls) {
  lines <- integer(0)
  for (call in calls) {
    ref <- attr(call, "srcref")
    file <- if (is.null(ref)) NULL else attr(ref, "srcfile")
    if (!is.null(file) && identical(file$filename, SCRIPT_NAME)) lines <- c(lines, as.integer(ref[1L]))
  }
  lines
}

call_text <- function(call) {
  text <- paste(deparse(call, width.cutoff = 200L, nlines = 1L), collapse = " ")
  ref <- attr(call, "srcref")
  file <- if (is.null(ref)) NULL else attr(ref, "srcfile")
  if (!is.null(file) && identical(file$filename, SCRIPT_NAME)) text <- paste0(text, " at line ", ref[1L])
  text
}

# Evaluate user code; any error becomes a script_failure naming the deepest script line reached.
run_user <- function(thunk, fallback_line = NA_integer_) {
  where <- integer(0)
  trace <- character(0)
  tryCatch(
    withCallingHandlers(thunk(), error = function(e) {
      calls <- sys.calls()
      where <<- script_lines(calls)
      shown <- function(call) {
        length(script_lines(list(call))) > 0L && !identical(call[[1L]], as.name(".handleSimpleError"))
      }
      user <- Filter(shown, calls)
      trace <<- utils::tail(vapply(user, call_text, ""), TRACE_LINES)
    }),
    script_failure = function(e) stop(e),
    error = function(e) {
      message <- conditionMessage(e)
      if (grepl("cannot allocate (vector|memory)|memory exhausted", message)) stop(failure("memory", message))
      line <- if (length(where)) where[length(where)] else fallback_line
      stop(failure("exception", message, line, trace))
    }
  )
}

parse_script <- function(path) {
  lines <- readLines(path, encoding = "UTF-8", warn = FALSE)
  source <- srcfilecopy(SCRIPT_NAME, lines)
  tryCatch(
    parse(text = lines, srcfile = source, keep.source = TRUE),
    error = function(e) {
      message <- conditionMessage(e)
      found <- regmatches(message, regexec(paste0("^", SCRIPT_NAME, ":([0-9]+):([0-9]+): ([^\n]*)"), message))[[1L]]
      if (length(found) == 4L) {
        context <- strsplit(message, "\n", fixed = TRUE)[[1L]][-1L]
        stop(failure("syntax", found[4L], as.integer(found[2L]), context))
      }
      stop(failure("syntax", message))
    }
  )
}

output_frames <- function(returned) {
  if (is.null(returned)) return(list(NULL, NULL))
  if (is.data.frame(returned)) return(list(returned, NULL))
  if (!is.list(returned)) stop(failure("return", paste0(
    ENTRY_POINT, " returned ", describe(returned), "; it must return a named list, ",
    "for example return(list(dataset1=dataframe1, dataset2=dataframe2))"
  )))
  keys <- names(returned)
  if (!is.null(keys) && all(nzchar(keys))) {
    unknown <- setdiff(keys, c("dataset1", "dataset2"))
    if (length(unknown)) stop(failure("return", paste0(
      ENTRY_POINT, " returned a list with ", paste0("'", unknown, "'", collapse = ", "),
      "; its names may only be dataset1 and dataset2"
    )))
    return(list(returned[["dataset1"]], returned[["dataset2"]]))
  }
  if (length(returned) > 2L) stop(failure("return", paste0(
    ENTRY_POINT, " returned a list of ", length(returned), " values; it may return at most two data frames"
  )))
  c(returned, list(NULL, NULL))[1:2]
}

describe <- function(value) {
  text <- paste(utils::capture.output(utils::str(value, give.attr = FALSE, vec.len = 2L))[1L], collapse = "")
  paste0("a ", class(value)[1L], " (", substr(trimws(text), 1L, 60L), ")")
}

# Every column as text: doubles with enough digits to come back as the same number.
as_text <- function(column) {
  if (is.factor(column)) return(as.character(column))
  if (inherits(column, c("Date", "POSIXt"))) return(format(column))
  if (is.double(column)) {
    text <- as.character(column)
    exact <- is.na(column) | !is.finite(column) | suppressWarnings(as.numeric(text)) == column
    text[!exact] <- sprintf("%.17g", column[!exact])
    return(text)
  }
  as.character(column)
}

write_output <- function(frame, path, port) {
  if (is.null(frame)) frame <- data.frame()
  if (!is.data.frame(frame)) stop(failure("return", paste0(
    ENTRY_POINT, " returned ", describe(frame), " as ", port, "; it must be a data frame"
  )))
  columns <- names(frame)
  twice <- unique(columns[duplicated(columns)])
  if (length(twice)) stop(failure("return", paste0(
    "the data frame returned as ", port, " has duplicate column names: ", paste(twice, collapse = ", ")
  )))
  nested <- columns[!vapply(frame, is.atomic, TRUE) | vapply(frame, function(c) !is.null(dim(c)), TRUE)]
  if (length(nested)) stop(failure("return", paste0(
    "the data frame returned as ", port, " has columns that are not plain vectors: ", paste(nested, collapse = ", ")
  )))
  if (length(columns) == 0L) {
    file.create(path)
    return(invisible())
  }
  text <- as.data.frame(lapply(frame, as_text), stringsAsFactors = FALSE, optional = TRUE)
  names(text) <- columns
  utils::write.csv(text, path, row.names = FALSE, na = "", fileEncoding = "UTF-8")
}

main <- function(args) {
  status <- args[9L]
  result <- tryCatch(
    {
      run(args)
      write_status(status, TRUE)
      EXIT_OK
    },
    script_failure = function(e) {
      write_status(status, FALSE, e$kind, e$line, conditionMessage(e), e$trace)
      if (identical(e$kind, "memory")) EXIT_OUT_OF_MEMORY else EXIT_SCRIPT_FAILED
    }
  )
  quit(save = "no", status = result)
}

run <- function(args) {
  frames <- list(read_input(args[3L], args[4L]), read_input(args[5L], args[6L]))
  if (nzchar(args[2L])) set.seed(as.integer(args[2L]))
  exprs <- parse_script(args[1L])
  refs <- attr(exprs, "srcref")
  env <- new.env(parent = globalenv())
  for (i in seq_along(exprs)) {
    run_user(function() eval(exprs[[i]], env), fallback_line = as.integer(refs[[i]][1L]))
  }
  entry <- if (exists(ENTRY_POINT, envir = env, inherits = FALSE)) get(ENTRY_POINT, envir = env) else NULL
  if (!is.function(entry)) stop(failure(
    "contract", paste0("the script defines no function ", ENTRY_POINT, " <- function(dataframe1, dataframe2)")
  ))
  returned <- run_user(function() entry(frames[[1L]], frames[[2L]]))
  outputs <- output_frames(returned)
  for (i in 1:2) write_output(outputs[[i]], args[6L + i], PORTS[i])
}

main(commandArgs(trailingOnly = TRUE))
