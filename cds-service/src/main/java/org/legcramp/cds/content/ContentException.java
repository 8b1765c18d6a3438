package org.legcramp.cds.content;

/** Broken clinical content: the service refuses to start and names the file and the problem. */
public final class ContentException extends RuntimeException {

    public ContentException(String file, String problem) {
        super(file + ": " + problem);
    }

    public ContentException(String file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
