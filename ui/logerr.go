package ui

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"syscall"

	"github.com/sirupsen/logrus"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/export"
	"github.com/dossier-hr/dossier/internal/oswatch"
	"github.com/dossier-hr/dossier/store"
)

// The log says what kind of error happened, never the error's text: the
// text of an error from the file system holds a path (a home folder, a
// folder or an evidence file whose name can name a person), and errors
// from below can quote a field or a bundle. The kinds are the fixed texts
// of sentinel errors, which hold no content.

// errorKinds are the sentinels the log names, most specific first: an
// error that is several of them is logged as the first.
var errorKinds = []error{
	context.Canceled, context.DeadlineExceeded,
	crypto.ErrPassphraseWiped, // before ErrWrongPassphrase: a wiping attempt is both
	crypto.ErrWrongPassphrase, crypto.ErrWrongRecoveryKey, crypto.ErrBadRecoveryKey, crypto.ErrCorruptKeyFile,
	crypto.ErrPassphraseShort, crypto.ErrPassphraseRepetitive, crypto.ErrPassphraseCommon, crypto.ErrPassphraseFewKinds,
	crypto.ErrPassphraseLineBreak, crypto.ErrPassphraseControl,
	export.ErrNotAddressed, export.ErrCorrupt, export.ErrBadSignature, export.ErrUnsigned, export.ErrUnknownSigner,
	export.ErrWrongKind, export.ErrNewerFormat, export.ErrVerify, export.ErrConsent, export.ErrBadCard,
	store.ErrDiskFull, store.ErrClosed, store.ErrEvidenceCorrupt, store.ErrNoEvidence, store.ErrNoStrippedCopy,
	store.ErrEvidenceTooLarge, store.ErrContactExists, store.ErrNotFound, store.ErrRestoreIncomplete,
	store.ErrNewerVault, store.ErrUnknownSchema, store.ErrKeyFileAltered, store.ErrNotDatabase, store.ErrCipherMissing, store.ErrNoVault, store.ErrVaultExists,
	store.ErrIncomplete, store.ErrInvalid, store.ErrNothingToResolve, store.ErrAmbiguous, store.ErrAuditBroken,
	oswatch.ErrNotSupported, oswatch.ErrNoBus,
	fs.ErrNotExist, fs.ErrPermission, fs.ErrExist, fs.ErrClosed,
}

// ErrorKind names the kind of err for a log, without its text: the fixed
// text of the sentinel it is (such as "file does not exist" or "wrong
// passphrase"), led by the operation of a file-system error ("open: …");
// for a system error without a sentinel, the system's fixed text for its
// number; a case's field error gives its reason code; anything else is "other". Empty for nil.
func ErrorKind(err error) string {
	if err == nil {
		return ""
	}
	var fe *store.FieldError
	if errors.As(err, &fe) {
		return "invalid case: " + fe.Reason // not the field's path: an imported file names it
	}
	op := ""
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		op = pe.Op + ": "
	case errors.As(err, &le):
		op = le.Op + ": "
	}
	for _, k := range errorKinds {
		if errors.Is(err, k) {
			return op + k.Error()
		}
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return op + errno.Error()
	}
	return op + "other"
}

// logErr is the app's log with the kind of err (see ErrorKind).
func (a *App) logErr(err error) *logrus.Entry {
	return a.log.WithField("error", ErrorKind(err))
}
