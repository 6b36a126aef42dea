package io.parley.gateway.core;

import io.parley.gateway.auth.Principal;
import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;
import io.parley.storage.StoredAttachment;

import java.util.concurrent.CompletableFuture;

/**
 * Who may upload files to a chat and download them: its members, as for its messages. Records
 * what was uploaded; the bytes themselves are the attachments package's business.
 */
public final class Attachments {
    private final CoreContext core;
    private final ChatAccess access;

    Attachments(CoreContext core, ChatAccess access) {
        this.core = core;
        this.access = access;
    }

    /** The chat, if the principal may upload to it now: a member, and the chat still open. */
    public CompletableFuture<ChatEntry> uploadTo(Principal principal, String chatId) {
        return access.member(principal, chatId).thenApply(entry -> {
            if (entry.chat().closed()) {
                throw new ChatException(ErrorCode.CONFLICT, "chat " + chatId + " is closed: it takes no more files");
            }
            return entry;
        });
    }

    /** Records a stored upload; a message may reference it from now on. */
    public CompletableFuture<StoredAttachment> record(StoredAttachment uploaded) {
        return core.history().call("add_attachment", store -> {
            store.addAttachment(uploaded);
            return uploaded;
        });
    }

    /** The file, if the principal may download it: a member of its chat. 404 once it is collected. */
    public CompletableFuture<StoredAttachment> download(Principal principal, String attachmentId) {
        return core.history().call("find_attachment", store -> store.findAttachment(attachmentId)
                        .filter(stored -> !stored.expired(core.now()))
                        .orElseThrow(() -> CoreContext.notFound("attachment " + attachmentId)))
                .thenCompose(stored -> access.member(principal, stored.chatId()).thenApply(entry -> stored));
    }
}
