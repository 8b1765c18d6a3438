package org.legcramp.cds.hooks;

import java.util.Map;

import org.legcramp.cds.cql.CqlTranslationException;
import org.legcramp.cds.prefetch.RequiredDataUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every failure answered as an RFC 9457 problem (JSON) that says what is wrong, never a stack
 * trace. Bad input is a 4xx; only our own faults are a 500, and those are logged.
 */
@RestControllerAdvice
public class ApiErrors extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    @ExceptionHandler(BadRequestException.class)
    ProblemDetail badRequest(BadRequestException e) {
        return problem(HttpStatus.BAD_REQUEST, "Bad request", e.getMessage());
    }

    /**
     * Only the workbench's live CQL edits translate after start-up (the content's own CQL refuses
     * start-up instead): each error with its library, line and column, for the editor to show.
     */
    @ExceptionHandler(CqlTranslationException.class)
    ProblemDetail cqlDoesNotTranslate(CqlTranslationException e) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "CQL does not translate", e.getMessage());
        problem.setProperty("errors", e.errors().stream().map(error -> Map.of("library", error.library(), "file", error.file(),
                "line", error.line(), "column", error.column(), "message", error.message())).toList());
        return problem;
    }

    @ExceptionHandler(UnknownServiceException.class)
    ProblemDetail unknownService(UnknownServiceException e) {
        return problem(HttpStatus.NOT_FOUND, "Unknown service", e.getMessage());
    }

    @ExceptionHandler(PayloadTooLargeException.class)
    ProblemDetail tooLarge(PayloadTooLargeException e) {
        return problem(HttpStatus.PAYLOAD_TOO_LARGE, "Request too large", e.getMessage());
    }

    @ExceptionHandler(RequiredDataUnavailableException.class)
    ProblemDetail dataUnavailable(RequiredDataUnavailableException e) {
        ProblemDetail problem = problem(HttpStatus.PRECONDITION_FAILED, "Required data unavailable", e.getMessage());
        problem.setProperty("cause", e.reason().code());
        return problem;
    }

    @ExceptionHandler(DeadlineExceededException.class)
    ProblemDetail deadlineExceeded(DeadlineExceededException e) {
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "Deadline exceeded", e.getMessage());
    }

    @ExceptionHandler(org.springframework.dao.DataAccessException.class)
    ProblemDetail storageUnavailable(org.springframework.dao.DataAccessException e) {
        log.error("Database unavailable: {}", e.getClass().getSimpleName());
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "Storage unavailable",
                "Feedback could not be stored just now; nothing was kept, please send it again.");
    }

    @ExceptionHandler(RuntimeException.class)
    ProblemDetail unexpected(RuntimeException e) {
        // Exception messages can quote patient data, so only the type and place go out at ERROR.
        StackTraceElement where = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
        log.error("Unexpected failure answering a request: {} at {}", e.getClass().getName(), where);
        log.debug("Unexpected failure, full detail", e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error",
                "The service failed to evaluate this request; the failure is logged.");
    }

    private static ProblemDetail problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return problem;
    }
}
